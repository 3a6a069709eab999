import { z } from '@hono/zod-openapi';
import { IntegrationViewSchema, OwnerName, SlackUser } from '../../integrations';

/** An integration as shown (the shape is written beside `integrationView`). */
export const Integration = IntegrationViewSchema.openapi('Integration');

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
