export { OUTGOING_EVENT_TYPES, WORKSPACE_EVENT_TYPES, outboxItemFor, payloadBody, type OutgoingEventType } from './catalogue';
export { WebhookDispatcher, matches, type DispatchResult } from './dispatcher';
export { RETRY_SCHEDULE_SECONDS, nextAttemptAt, parseRetryAfter } from './retry';
export { DEFAULT_WEBHOOK_SETTINGS, readWebhookSettings, type WebhookSettings } from './settings';
export { generateSecret, sign, signedHeaders, SECRET_PREFIX } from './signature';
export { addressRefusal, checkWebhookUrl, type UrlPolicy } from './address-guard';
export { sendOnce, MAX_RESPONSE_BYTES } from './send';
export { WebhookService, webhookView, deliveryView, ROTATION_OVERLAP_MS, type WebhookActor, type CreateWebhookInput } from './subscriptions';
export { WebhookViewSchema, DeliveryViewSchema, AttemptViewSchema, type WebhookView, type DeliveryView } from './view-schema';
