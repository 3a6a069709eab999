import { z } from '@hono/zod-openapi';
import { OwnerName, SlackUser } from '../../integrations';

/** An integration as shown: settings with secret references only. */
export const Integration = z.object({
  id: z.string(), kind: z.enum(['github', 'slack']),
  inboundPath: z.string().openapi({ description: 'the signed endpoint to give GitHub (payload URL) or Slack (request URL)' }),
  config: z.record(z.string(), z.unknown()).openapi({ description: 'settings; secrets appear as references (env:, file:, aws-sm:), never values' }),
  links: z.array(z.object({ team: z.string(), user: z.string(), owner: z.string() })).optional(),
  createdAt: z.string(), updatedAt: z.string(),
}).openapi('Integration');

export const IntegrationList = z.object({ items: z.array(Integration) }).openapi('IntegrationList');

export const IntegrationEvent = z.object({
  id: z.string(), integrationId: z.string(), type: z.string(), message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(), at: z.string(),
}).openapi('IntegrationEvent');

export const IntegrationIdParam = z.object({ id: z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'not an integration name') });
export const LinkParams = IntegrationIdParam.extend({ user: SlackUser });
export const LinkBody = z.object({ owner: OwnerName }).strict().openapi('SlackLink');

/** What GitHub gets back: what the delivery did (shown in the hook's "Recent Deliveries"). */
export const GitHubOutcome = z.object({
  status: z.enum(['accepted', 'ignored', 'refused', 'duplicate', 'pong']), message: z.string(),
  workspaceId: z.string().optional(), delivery: z.string().optional(),
}).openapi('GitHubDeliveryOutcome');

/** What Slack gets back within 3 s: an ephemeral message. */
export const SlackAck = z.object({
  response_type: z.enum(['ephemeral', 'in_channel']), text: z.string(), replace_original: z.boolean().optional(),
  blocks: z.array(z.unknown()).optional(),
}).openapi('SlackMessage');
