import { ulid } from 'ulid';
import { WorkbayError } from '../errors';
import type { DeliveryRecord, Store, WebhookRecord, WebhookScope } from '../store';
import { checkWebhookUrl, type UrlPolicy } from './address-guard';
import { OUTGOING_EVENT_TYPES } from './catalogue';
import { generateSecret, liveSecrets } from './signature';
import type { DeliveryView, WebhookView } from './view-schema';

/** Who acts: a user manages their own subscriptions, an admin every one. */
export interface WebhookActor { owner: string; role: 'admin' | 'user' }

/** A validated create request. */
export interface CreateWebhookInput { url: string; eventTypes?: string[]; scope?: WebhookScope; description?: string }

/** A rotated-out secret keeps signing this long, so receivers can switch without missing a delivery. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

const notFound = (id: string) => new WorkbayError('webhook.notFound', `webhook ${id} does not exist`);

/** What the API shows of a subscription: everything but the secrets (their count and overlap only). */
export function webhookView(w: WebhookRecord, now = new Date()): WebhookView {
  const live = liveSecrets(w.secrets, now);
  const previous = live.filter((s) => s.expiresAt).map((s) => s.expiresAt!).sort().at(-1);
  return {
    id: w.id, url: w.url, eventTypes: w.eventTypes, scope: w.scope, owner: w.owner, status: w.status,
    ...(w.description ? { description: w.description } : {}),
    ...(w.disabledReason ? { disabledReason: w.disabledReason, disabledAt: w.disabledAt } : {}),
    ...(w.failingSince ? { failingSince: w.failingSince } : {}), ...(w.lastSuccessAt ? { lastSuccessAt: w.lastSuccessAt } : {}),
    signingSecrets: live.length, ...(previous ? { previousSecretValidUntil: previous } : {}),
    createdAt: w.createdAt, updatedAt: w.updatedAt,
  };
}

/** What the delivery log shows of a delivery. */
export function deliveryView(d: DeliveryRecord): DeliveryView {
  return {
    id: d.id, webhookId: d.webhookId, messageId: d.messageId, type: d.type, ...(d.workspaceId ? { workspaceId: d.workspaceId } : {}),
    status: d.status, attempts: d.attempts, ...(d.nextAttemptAt && d.status === 'pending' ? { nextAttemptAt: d.nextAttemptAt } : {}),
    payload: JSON.parse(d.body) as Record<string, unknown>, createdAt: d.createdAt, updatedAt: d.updatedAt,
  };
}

/** Outgoing-events subscriptions: create (secret shown once), list, show, delete, rotate, delivery log, replay. */
export class WebhookService {
  constructor(private readonly store: Store, private readonly policy: UrlPolicy) {}

  async create(actor: WebhookActor, input: CreateWebhookInput): Promise<{ webhook: WebhookRecord; secret: string }> {
    checkWebhookUrl(input.url, this.policy);
    const scope = input.scope ?? 'own';
    if (scope === 'all' && actor.role !== 'admin') {
      throw new WorkbayError('auth.forbidden', 'only an admin may subscribe to every owner\'s events', { errors: [{ field: 'body.scope', message: 'use "own" (the default) with a user token' }] });
    }
    const eventTypes = [...new Set(input.eventTypes?.length ? input.eventTypes : OUTGOING_EVENT_TYPES)];
    const now = new Date().toISOString();
    const secret = generateSecret();
    const webhook: WebhookRecord = {
      id: ulid(), owner: actor.owner, role: actor.role, url: input.url, eventTypes, scope, description: input.description,
      secrets: [{ value: secret, createdAt: now }], status: 'enabled', version: 1, createdAt: now, updatedAt: now,
    };
    await this.store.webhooks.create(webhook);
    return { webhook, secret };
  }

  /** The subscription if the actor may see it; another owner's is reported as missing. */
  async get(actor: WebhookActor, id: string): Promise<WebhookRecord> {
    const w = await this.store.webhooks.get(id);
    if (!w || (actor.role !== 'admin' && w.owner !== actor.owner)) throw notFound(id);
    return w;
  }

  async list(actor: WebhookActor): Promise<WebhookRecord[]> {
    const all = await this.store.webhooks.list();
    return actor.role === 'admin' ? all : all.filter((w) => w.owner === actor.owner);
  }

  /** Removes the subscription; pending deliveries are dropped by the dispatcher, the log expires by TTL. */
  async remove(actor: WebhookActor, id: string): Promise<void> {
    await this.get(actor, id);
    if (!(await this.store.webhooks.remove(id))) throw notFound(id);
  }

  /** A new secret signs from now on; the ones before keep signing for 24 h (several signatures meanwhile). */
  async rotate(actor: WebhookActor, id: string): Promise<{ webhook: WebhookRecord; secret: string }> {
    for (let attempt = 0; ; attempt++) {
      const w = await this.get(actor, id);
      const now = new Date();
      const until = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
      const secret = generateSecret();
      const kept = liveSecrets(w.secrets, now).map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < until ? s.expiresAt : until }));
      try {
        const webhook = await this.store.webhooks.update(w, { ...w, secrets: [{ value: secret, createdAt: now.toISOString() }, ...kept] });
        return { webhook, secret };
      } catch (err) {
        if (!(err instanceof WorkbayError && err.code === 'store.conflict') || attempt >= 4) throw err;
      }
    }
  }

  /** Enables a disabled endpoint again (after its receiver was fixed); failed deliveries can then be replayed. */
  async enable(actor: WebhookActor, id: string): Promise<WebhookRecord> {
    const w = await this.get(actor, id);
    if (w.status === 'enabled') return w;
    return this.store.webhooks.update(w, { ...w, status: 'enabled', disabledReason: undefined, disabledAt: undefined, failingSince: undefined });
  }

  async deliveries(actor: WebhookActor, id: string, opts: { limit: number; cursor?: string }) {
    await this.get(actor, id);
    return this.store.outbox.deliveries(id, opts);
  }

  /** Sends a delivery again with the same `webhook-id`, starting the retry schedule over. */
  async replay(actor: WebhookActor, id: string, deliveryId: string): Promise<DeliveryRecord> {
    const w = await this.get(actor, id);
    if (w.status !== 'enabled') {
      throw new WorkbayError('webhook.disabled', `webhook ${id} is disabled (${w.disabledReason ?? 'disabled'}); enable it first`);
    }
    for (let attempt = 0; ; attempt++) {
      const d = await this.store.outbox.getDelivery(id, deliveryId);
      if (!d) throw new WorkbayError('webhook.notFound', `delivery ${deliveryId} of webhook ${id} does not exist`);
      try {
        return await this.store.outbox.updateDelivery(d, {
          ...d, status: 'pending', scheduled: 0, nextAttemptAt: new Date().toISOString(), leaseUntil: undefined, replayPending: true,
        });
      } catch (err) {
        if (!(err instanceof WorkbayError && err.code === 'store.conflict') || attempt >= 4) throw err;
      }
    }
  }
}
