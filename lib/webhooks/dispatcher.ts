import pMap from 'p-map';
import type { DeliveryAttempt, DeliveryRecord, OutboxRecord, Store, WebhookRecord } from '../store';
import { isWorkbayError } from '../errors';
import { newEventId } from '../store/events';
import { payloadBody } from './catalogue';
import { nextAttemptAt } from './retry';
import { sendOnce, type SendResult } from './send';
import type { WebhookSettings } from './settings';
import { signedHeaders } from './signature';

/** What one dispatch did, for logs and tests. */
export interface DispatchResult { fannedOut: number; attempted: number; delivered: number; failed: number }

/** A claimed delivery is someone's for the attempt's timeout plus this margin; then anyone may retry it. */
const LEASE_MARGIN_MS = 20_000;
/** Deliveries read per dispatch; the rest wait for the next one. */
const BATCH = 100;

/** True when a subscription should get this event: enabled, asked for the type, owns it or sees all, existed at the time. */
export function matches(s: WebhookRecord, o: OutboxRecord): boolean {
  return s.status === 'enabled' && s.eventTypes.includes(o.type) && s.createdAt <= o.timestamp
    && (s.owner === o.owner || (s.scope === 'all' && s.role === 'admin'));
}

/**
 * Delivers outgoing events (ADR 0011). One pass fans each outbox item out into a delivery per matching
 * subscription (keyed by event and subscription, so a repeated fan-out adds nothing) and then sends
 * what is due, each delivery claimed by a conditional write first. Embedded mode runs it on a timer; on
 * AWS the stream function runs it when outbox items arrive and the scheduled function for retries.
 */
export class WebhookDispatcher {
  constructor(
    private readonly store: Store,
    private readonly settings: WebhookSettings,
    /** One JSON line per notable outcome; never a secret, header or body. */
    private readonly log: (e: Record<string, unknown>) => void = () => {},
  ) {}

  /** One pass. `ignoreLeases` (embedded start) also retries deliveries a dead process had claimed. */
  async run(opts: { ignoreLeases?: boolean } = {}): Promise<DispatchResult> {
    const result: DispatchResult = { fannedOut: await this.fanOut(), attempted: 0, delivered: 0, failed: 0 };
    const now = new Date();
    const due = opts.ignoreLeases
      ? (await this.store.outbox.due(new Date('9999-01-01T00:00:00Z'), BATCH)).filter((d) => (d.nextAttemptAt ?? d.createdAt) <= now.toISOString())
      : await this.store.outbox.due(now, BATCH);
    await pMap(due, async (d) => {
      const outcome = await this.deliver(d).catch((err: unknown) => {
        this.log({ level: 'error', msg: 'webhook delivery failed', webhookId: d.webhookId, deliveryId: d.id, error: err instanceof Error ? err.message : String(err) });
        return undefined;
      });
      if (!outcome) return;
      result.attempted++;
      if (outcome === 'delivered') result.delivered++;
      if (outcome === 'failed') result.failed++;
    }, { concurrency: this.settings.concurrency });
    return result;
  }

  private async fanOut(): Promise<number> {
    const items = await this.store.outbox.pending(BATCH);
    if (!items.length) return 0;
    const subs = await this.store.webhooks.list();
    for (const o of items) {
      const now = new Date().toISOString();
      for (const s of subs.filter((x) => matches(x, o))) {
        await this.store.outbox.createDelivery({
          id: o.eventId, webhookId: s.id, messageId: `msg_${o.eventId}`, type: o.type, workspaceId: o.workspaceId, body: o.body,
          status: 'pending', scheduled: 0, attempts: [], nextAttemptAt: now, version: 1, createdAt: now, updatedAt: now,
        });
      }
      await this.store.outbox.done(o.eventId);
    }
    return items.length;
  }

  /** Claims, sends and records one attempt; undefined when another dispatcher had it. */
  private async deliver(d: DeliveryRecord): Promise<'delivered' | 'retrying' | 'failed' | undefined> {
    let cur: DeliveryRecord;
    try {
      cur = await this.store.outbox.updateDelivery(d, { ...d, leaseUntil: new Date(Date.now() + this.settings.timeoutMs + LEASE_MARGIN_MS).toISOString() });
    } catch (err) {
      if (isWorkbayError(err, 'store.conflict')) return undefined;
      throw err;
    }
    const sub = await this.store.webhooks.get(cur.webhookId);
    if (!sub) {
      await this.store.outbox.removeDelivery(cur);
      return undefined;
    }
    const now = new Date();
    if (sub.status !== 'enabled') {
      await this.finish(cur, 'failed', {
        attempt: cur.attempts.length + 1, at: now.toISOString(), durationMs: 0, error: `not sent: the endpoint is disabled (${sub.disabledReason ?? 'disabled'})`,
      });
      return 'failed';
    }
    const r = await sendOnce(sub.url, signedHeaders(sub.secrets, cur.messageId, cur.body, now), cur.body, {
      allowLoopback: this.settings.allowLoopback, timeoutMs: this.settings.timeoutMs,
    });
    const ok = !r.error && r.statusCode !== undefined && r.statusCode >= 200 && r.statusCode < 300;
    const gone = r.statusCode === 410;
    const retryAt = ok || gone ? undefined : nextAttemptAt(cur.scheduled + 1, new Date(), { scale: this.settings.retryScale }, r.retryAfterSeconds);
    const status = ok ? 'delivered' : retryAt ? 'pending' : 'failed';
    await this.finish(cur, status, attemptOf(cur, now, r, retryAt));
    const health = await this.store.webhooks.recordOutcome(sub.id, ok, now.toISOString());
    if (gone) await this.disable(sub, 'the endpoint answered 410 Gone');
    else if (!ok && health?.failingSince && now.getTime() - Date.parse(health.failingSince) >= this.settings.disableAfterSeconds * 1000) {
      await this.disable(sub, `every attempt failed since ${health.failingSince}`);
    }
    if (!ok) this.log({ level: 'warn', msg: 'webhook attempt failed', webhookId: sub.id, deliveryId: cur.id, statusCode: r.statusCode, error: r.error, nextAttemptAt: retryAt?.toISOString() });
    return status === 'pending' ? 'retrying' : status;
  }

  private async finish(cur: DeliveryRecord, status: DeliveryRecord['status'], attempt: DeliveryAttempt): Promise<void> {
    try {
      await this.store.outbox.updateDelivery(cur, {
        ...cur, status, scheduled: cur.scheduled + 1, attempts: [...cur.attempts, attempt], nextAttemptAt: attempt.nextAttemptAt, leaseUntil: undefined, replayPending: undefined,
      });
    } catch (err) {
      // A replay (or a dispatcher that took over after our lease) changed it: its write stands.
      if (!isWorkbayError(err, 'store.conflict')) throw err;
    }
  }

  /** Disables an endpoint once and tells its owner with a `webhook.disabled` event to their other subscriptions. */
  private async disable(sub: WebhookRecord, reason: string): Promise<void> {
    const at = new Date().toISOString();
    if (!(await this.store.webhooks.disable(sub.id, reason, at))) return;
    this.log({ level: 'warn', msg: 'webhook disabled', webhookId: sub.id, owner: sub.owner, reason });
    const eventId = newEventId();
    await this.store.outbox.put({
      eventId, type: 'webhook.disabled', owner: sub.owner, timestamp: at,
      body: payloadBody('webhook.disabled', at, { eventId, webhook: { id: sub.id, url: sub.url, owner: sub.owner }, reason }),
    });
  }
}

function attemptOf(cur: DeliveryRecord, at: Date, r: SendResult, retryAt: Date | undefined): DeliveryAttempt {
  const failed = r.error ?? (r.statusCode !== undefined && (r.statusCode < 200 || r.statusCode >= 300) ? `HTTP ${r.statusCode}` : undefined);
  return {
    attempt: cur.attempts.length + 1, at: at.toISOString(), durationMs: r.durationMs,
    ...(r.statusCode !== undefined ? { statusCode: r.statusCode } : {}), ...(failed ? { error: failed } : {}),
    ...(retryAt ? { nextAttemptAt: retryAt.toISOString() } : {}), ...(cur.replayPending ? { replay: true } : {}),
  };
}
