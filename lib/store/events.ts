import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys } from './keys';
import type { EventRecord } from './types';

/** Events are kept 90 days (DynamoDB TTL on AWS). */
const EVENT_TTL_SECONDS = 90 * 24 * 3600;
/** Monotonic, so events appended in the same millisecond keep their order. */
const ulid = monotonicFactory();
/** A new event id, in the same order as the ids `append` makes. */
export const newEventId = (): string => ulid();

/** Audit events `WS#<id>`/`EV#<ulid>`: append-only, ordered by time through the ULID. */
export class EventRepo {
  constructor(private readonly db: Db) {}

  /** `id` and `at` may be given (see newEventId) when something else was keyed by the event first. */
  async append(e: Omit<EventRecord, 'id' | 'at'> & Partial<Pick<EventRecord, 'id' | 'at'>>): Promise<EventRecord> {
    const rec: EventRecord = { ...e, id: e.id ?? ulid(), at: e.at ?? new Date().toISOString() };
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table,
      Item: { ...keys.event(e.workspaceId, rec.id), kind: 'event', ...rec, expiresAt: Math.floor(Date.now() / 1000) + EVENT_TTL_SECONDS },
    })));
    return rec;
  }

  /** True when the event `id` of the workspace is in the log (a strongly consistent read). */
  async has(workspaceId: string, id: string): Promise<boolean> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: keys.event(workspaceId, id), ConsistentRead: true, ProjectionExpression: 'pk' })));
    return !!out.Item;
  }

  /** Events of one workspace, oldest first; `after` is the id of the last event already seen. */
  async list(workspaceId: string, opts: { limit: number; after?: string }): Promise<EventRecord[]> {
    const pk = keys.workspace(workspaceId).pk;
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, ConsistentRead: true, Limit: opts.limit,
      KeyConditionExpression: opts.after ? 'pk = :p AND sk > :a' : 'pk = :p AND begins_with(sk, :e)',
      ExpressionAttributeValues: opts.after ? { ':p': pk, ':a': `EV#${opts.after}` } : { ':p': pk, ':e': 'EV#' },
    })));
    return (out.Items ?? []).filter((i) => String(i.sk).startsWith('EV#')).map((i) => stripKeys<EventRecord>(i));
  }
}
