import { z } from '@hono/zod-openapi';
import { OUTGOING_EVENT_TYPES } from '../../webhooks';

const Ulid = (what: string) => z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, `not a ${what} id`);

export const WebhookIdParam = z.object({ id: Ulid('webhook') });
export const DeliveryParams = z.object({ id: Ulid('webhook'), deliveryId: Ulid('delivery') });

export const CreateWebhook = z.object({
  url: z.string().min(1).max(2048).openapi({ description: 'https URL of the receiver; it must resolve to public addresses' }),
  eventTypes: z.array(z.enum(OUTGOING_EVENT_TYPES)).max(OUTGOING_EVENT_TYPES.length).optional()
    .openapi({ description: 'event types to deliver; every type when omitted' }),
  scope: z.enum(['own', 'all']).optional().openapi({ description: '"own" (default): events of the caller\'s workspaces; "all" (admins): everyone\'s' }),
  description: z.string().max(256).optional(),
}).strict().openapi('CreateWebhook');

export const Webhook = z.object({
  id: z.string(), url: z.string(), eventTypes: z.array(z.string()), scope: z.enum(['own', 'all']), owner: z.string(),
  status: z.enum(['enabled', 'disabled']), description: z.string().optional(),
  disabledReason: z.string().optional(), disabledAt: z.string().optional(),
  failingSince: z.string().optional().openapi({ description: 'first failed attempt since the last success' }),
  lastSuccessAt: z.string().optional(),
  signingSecrets: z.number().int().openapi({ description: 'secrets that sign each delivery now (2 during a rotation)' }),
  previousSecretValidUntil: z.string().optional().openapi({ description: 'when the rotated-out secret stops signing' }),
  createdAt: z.string(), updatedAt: z.string(),
}).openapi('Webhook');

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().openapi({ description: 'whsec_… signing secret; shown only in this response' }),
}).openapi('WebhookWithSecret');

export const WebhookList = z.object({ items: z.array(Webhook) }).openapi('WebhookList');

export const Attempt = z.object({
  attempt: z.number().int(), at: z.string(), statusCode: z.number().int().optional(), durationMs: z.number(),
  error: z.string().optional(), nextAttemptAt: z.string().optional(), replay: z.boolean().optional(),
}).openapi('DeliveryAttempt');

export const Delivery = z.object({
  id: z.string(), webhookId: z.string(),
  messageId: z.string().openapi({ description: 'the webhook-id header, the same on every attempt and replay' }),
  type: z.string(), workspaceId: z.string().optional(), status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(Attempt), nextAttemptAt: z.string().optional(),
  payload: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string(),
}).openapi('Delivery');

export const DeliveryList = z.object({ items: z.array(Delivery), cursor: z.string().optional() }).openapi('DeliveryList');

export const DeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
});
