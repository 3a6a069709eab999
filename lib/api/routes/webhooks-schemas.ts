import { z } from '@hono/zod-openapi';
import { AttemptViewSchema, DeliveryViewSchema, OUTGOING_EVENT_TYPES, WebhookViewSchema } from '../../webhooks';

// Response shapes are written once beside their views (lib/webhooks/view-schema.ts); here they are named.

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

export const Webhook = WebhookViewSchema.openapi('Webhook');

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().openapi({ description: 'whsec_… signing secret; shown only in this response' }),
}).openapi('WebhookWithSecret');

export const WebhookList = z.object({ items: z.array(Webhook) }).openapi('WebhookList');

export const Attempt = AttemptViewSchema.openapi('DeliveryAttempt');

export const Delivery = DeliveryViewSchema.extend({ attempts: z.array(Attempt) }).openapi('Delivery');

export const DeliveryList = z.object({ items: z.array(Delivery), cursor: z.string().optional() }).openapi('DeliveryList');

export const DeliveryQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(64).optional(),
});
