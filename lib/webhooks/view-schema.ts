import { z } from 'zod';

/**
 * Subscriptions and deliveries as the API shows them, written once: `lib/api` names them in the
 * OpenAPI document, `webhookView`/`deliveryView` return their types. Plain zod (no HTTP layer here).
 */

const d = (description: string) => ({ description });

/** One subscription, without its secrets (their count and overlap only). */
export const WebhookViewSchema = z.object({
  id: z.string(), url: z.string(), eventTypes: z.array(z.string()), scope: z.enum(['own', 'all']), owner: z.string(),
  status: z.enum(['enabled', 'disabled']), description: z.string().optional(),
  disabledReason: z.string().optional(), disabledAt: z.string().optional(),
  failingSince: z.string().optional().meta(d('first failed attempt since the last success')),
  lastSuccessAt: z.string().optional(),
  signingSecrets: z.number().int().meta(d('secrets that sign each delivery now (2 during a rotation)')),
  previousSecretValidUntil: z.string().optional().meta(d('when the rotated-out secret stops signing')),
  createdAt: z.string(), updatedAt: z.string(),
});

/** One attempt to deliver. */
export const AttemptViewSchema = z.object({
  attempt: z.number().int(), at: z.string(), statusCode: z.number().int().optional(), durationMs: z.number(),
  error: z.string().optional(), nextAttemptAt: z.string().optional(), replay: z.boolean().optional(),
});

/** One delivery in the log. */
export const DeliveryViewSchema = z.object({
  id: z.string(), webhookId: z.string(),
  messageId: z.string().meta(d('the webhook-id header, the same on every attempt and replay')),
  type: z.string(), workspaceId: z.string().optional(), status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(AttemptViewSchema), nextAttemptAt: z.string().optional(),
  payload: z.record(z.string(), z.unknown()), createdAt: z.string(), updatedAt: z.string(),
});

/** A subscription as the API shows it. */
export type WebhookView = z.infer<typeof WebhookViewSchema>;
/** A delivery as the API shows it. */
export type DeliveryView = z.infer<typeof DeliveryViewSchema>;
