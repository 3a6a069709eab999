import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { DELIVERY_SHARD, keys, OUTBOX_SHARD } from './keys';
import { GSI_SWEEP } from '../../infra/table';
import { WorkbayError } from '../errors';

/** Delivered and given-up deliveries stay in the log this long (DynamoDB TTL on AWS). */
const DELIVERY_TTL_SECONDS = 30 * 24 * 3600;
/** Attempts kept per delivery; replays append, so the list is bounded. */
const MAX_ATTEMPTS_KEPT = 50;

/**
 * An outgoing event waiting for fan-out. It is written before the audit event it describes, and it is
 * removed only after a delivery item exists for every matching subscription.
 */
export interface OutboxRecord {
  eventId: string;
  type: string;
  /** Whose event it is: the workspace's owner (or the subscription's, for `webhook.disabled`). */
  owner: string;
  workspaceId?: string;
  /** The event's time (ISO); also the payload's `timestamp`. */
  timestamp: string;
  /** The exact payload `{type, timestamp, data}` as sent: retries sign the same bytes. */
  body: string;
}

/** One HTTP attempt of a delivery, as the delivery log shows it. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  statusCode?: number;
  durationMs: number;
  /** Why it failed, in words; never a secret or the receiver's full body. */
  error?: string;
  /** When the next attempt is due, when there is one. */
  nextAttemptAt?: string;
  replay?: boolean;
}

/** One event's delivery to one subscription: `WEBHOOK#<webhookId>`/`DLV#<eventId>`. */
export interface DeliveryRecord {
  id: string;
  webhookId: string;
  /** The `webhook-id` header: the same on every attempt and replay (the receiver's idempotency key). */
  messageId: string;
  type: string;
  workspaceId?: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  /** Attempts in the current schedule (a replay starts the schedule again). */
  scheduled: number;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
  /** Set by a replay until its attempt is recorded, so the log can tell replays apart. */
  replayPending?: boolean;
  /** A dispatcher is sending it until then; afterwards anyone may pick it up again. */
  leaseUntil?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * The outbox and the delivery log. Both queues live in the sparse GSI1: outbox items in the OUTBOX
 * shard until fanned out, deliveries in the DELIVERY shard only while pending, ordered by when they are
 * due (a claim moves that to the lease's end), so a dispatch reads what is due, never the whole log.
 */
export class OutboxRepo {
  constructor(private readonly db: Db) {}

  /** Idempotent: the item is keyed by the event id. */
  async put(o: OutboxRecord): Promise<void> {
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table,
      Item: { ...keys.outbox(o.eventId), kind: 'outbox', gsi1pk: OUTBOX_SHARD, gsi1sk: `${o.timestamp}#${o.eventId}`, ...o },
    })));
  }

  /** Outbox items waiting for fan-out, oldest first. */
  async pending(limit = 100): Promise<OutboxRecord[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: limit,
      KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': OUTBOX_SHARD },
    })));
    return (out.Items ?? []).map((i) => stripKeys<OutboxRecord>(i));
  }

  async done(eventId: string): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.outbox(eventId) })));
  }

  private deliveryItem(d: DeliveryRecord) {
    const due = d.status === 'pending' ? (d.leaseUntil && d.leaseUntil > (d.nextAttemptAt ?? '') ? d.leaseUntil : d.nextAttemptAt ?? d.createdAt) : undefined;
    return {
      ...keys.delivery(d.webhookId, d.id), kind: 'delivery',
      ...(due ? { gsi1pk: DELIVERY_SHARD, gsi1sk: `${due}#${d.webhookId}#${d.id}` } : {}),
      ...d, attempts: d.attempts.slice(-MAX_ATTEMPTS_KEPT),
      expiresAt: Math.floor(Date.now() / 1000) + DELIVERY_TTL_SECONDS,
    };
  }

  /** Writes a new delivery; false when it exists already (a fan-out repeated after a crash). */
  async createDelivery(d: DeliveryRecord): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: this.deliveryItem(d), ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    }, () => false);
  }

  async getDelivery(webhookId: string, id: string): Promise<DeliveryRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: keys.delivery(webhookId, id), ConsistentRead: true })));
    return out.Item ? stripKeys<DeliveryRecord>(out.Item) : undefined;
  }

  /** Writes `next` if the stored version is still `prev.version`; `store.conflict` otherwise. */
  async updateDelivery(prev: DeliveryRecord, next: DeliveryRecord): Promise<DeliveryRecord> {
    const rec = { ...next, version: prev.version + 1, updatedAt: new Date().toISOString() };
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table, Item: this.deliveryItem(rec), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': prev.version },
    })), () => new WorkbayError('store.conflict', `delivery ${prev.id} changed meanwhile`));
    return rec;
  }

  async removeDelivery(d: DeliveryRecord): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.delivery(d.webhookId, d.id) })));
  }

  /** Pending deliveries due by `now` (leases that ended included), soonest first. */
  async due(now: Date, limit = 100): Promise<DeliveryRecord[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: limit,
      KeyConditionExpression: 'gsi1pk = :p AND gsi1sk <= :now',
      ExpressionAttributeValues: { ':p': DELIVERY_SHARD, ':now': `${now.toISOString()}#~` },
    })));
    return (out.Items ?? []).map((i) => stripKeys<DeliveryRecord>(i));
  }

  /** Deliveries of one subscription, newest first; `cursor` continues a previous page. */
  async deliveries(webhookId: string, opts: { limit: number; cursor?: string }): Promise<{ items: DeliveryRecord[]; cursor?: string }> {
    const pk = keys.webhook(webhookId).pk;
    let start: Record<string, unknown> | undefined;
    if (opts.cursor) {
      const id = Buffer.from(opts.cursor, 'base64url').toString('utf8');
      if (!/^[0-9A-Z]{26}$/.test(id)) throw new WorkbayError('request.invalid', 'invalid cursor', { errors: [{ field: 'query.cursor', message: 'not a cursor returned by this API' }] });
      start = keys.delivery(webhookId, id);
    }
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, ConsistentRead: true, Limit: opts.limit, ScanIndexForward: false, ExclusiveStartKey: start,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :d)', ExpressionAttributeValues: { ':p': pk, ':d': 'DLV#' },
    })));
    const items = (out.Items ?? []).map((i) => stripKeys<DeliveryRecord>(i));
    const last = out.LastEvaluatedKey?.sk;
    return { items, cursor: typeof last === 'string' ? Buffer.from(last.slice(4)).toString('base64url') : undefined };
  }
}
