import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys, ownerList, RETAIN_SHARD, SETTLED_SHARD, SWEEP_SHARD, WORK_SHARD } from './keys';
import type { WorkspaceRecord, WorkspaceStatus } from './types';
import { needsWork } from '../workspaces/model';
import { retentionCheckAt, sweepAtOf } from '../workspaces/lifecycle-deadlines';

export { needsWork };
import { GSI_LIST, GSI_SWEEP } from '../../infra/table';
import { WorkbayError } from '../errors';

/** One page of a listing; `cursor` is opaque and absent on the last page. */
export interface Page<T> { items: T[]; cursor?: string }

const encodeCursor = (k: Record<string, unknown> | undefined) =>
  k ? Buffer.from(JSON.stringify(k)).toString('base64url') : undefined;

const CURSOR_KEYS = ['gsi2pk', 'gsi2sk', 'pk', 'sk'];

/**
 * Reads a listing cursor back into the start key. Only the exact shape this API hands out, for this
 * owner's partition, is accepted: anything else would reach DynamoDB as a malformed start key (a 5xx)
 * or start another owner's listing.
 */
function decodeCursor(c: string | undefined, owner: string): Record<string, string> | undefined {
  if (!c) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
  } catch { /* reported below */ }
  const k = v as Record<string, unknown> | null;
  const valid = !!k && typeof k === 'object' && !Array.isArray(k)
    && Object.keys(k).sort().join() === CURSOR_KEYS.join()
    && Object.values(k).every((x) => typeof x === 'string' && x.length <= 512)
    && k.gsi2pk === ownerList(owner) && k.sk === 'META' && /^WS#[0-9A-Z]{26}$/.test(k.pk as string)
    && (k.gsi2sk as string).startsWith('WS#') && (k.gsi2sk as string).endsWith((k.pk as string).slice(3));
  if (valid) return k as Record<string, string>;
  throw new WorkbayError('request.invalid', 'invalid cursor', { errors: [{ field: 'query.cursor', message: 'not a cursor returned by this API for this listing; start again without it' }] });
}


/**
 * Workspace items with their GSI1 attributes. GSI1 is sparse: in-flight work sits in the WORK shard
 * (ordered by lease expiry, for re-drive), Running workspaces with an idle deadline or a maximum
 * lifetime in the SWEEP shard (ordered by the earlier of the two), Stopped ones under retention in
 * the RETAIN shard (ordered by when the sweeper must look: warning, then delete), other provisioned
 * settled ones in the SETTLED shard (oldest change first, paged by the drift resync); neither the
 * sweep nor re-drive query grows with the fleet.
 */
function toItem(ws: WorkspaceRecord) {
  const sweepAt = ws.status === 'Running' ? sweepAtOf(ws) : undefined;
  const retainAt = ws.status === 'Stopped' ? retentionCheckAt(ws) : undefined;
  const sweep = needsWork(ws) ? { gsi1pk: WORK_SHARD, gsi1sk: `${ws.leaseUntil ?? ''}#${ws.id}` }
    : sweepAt ? { gsi1pk: SWEEP_SHARD, gsi1sk: `${sweepAt}#${ws.id}` }
      : retainAt ? { gsi1pk: RETAIN_SHARD, gsi1sk: `${retainAt}#${ws.id}` }
        : (ws.status === 'Running' || ws.status === 'Stopped') && ws.driverRef ? { gsi1pk: SETTLED_SHARD, gsi1sk: `${ws.updatedAt}#${ws.id}` } : {};
  return {
    ...keys.workspace(ws.id), kind: 'workspace', ...sweep,
    gsi2pk: ownerList(ws.owner), gsi2sk: `WS#${ws.createdAt}#${ws.id}`, ...ws,
  };
}

/** Workspace items `WS#<id>`/`META`. Every change is a conditional write on `version`. */
export class WorkspaceRepo {
  constructor(private readonly db: Db) {}

  async create(ws: WorkspaceRecord): Promise<void> {
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: toItem(ws), ConditionExpression: 'attribute_not_exists(pk)',
      })),
      () => new WorkbayError('store.conflict', `workspace ${ws.id} exists already`),
    );
  }

  async get(id: string): Promise<WorkspaceRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({
      TableName: this.db.table, Key: keys.workspace(id), ConsistentRead: true,
    })));
    return out.Item ? stripKeys<WorkspaceRecord>(out.Item) : undefined;
  }

  /**
   * Writes `next` if the stored version is still `prev.version`; returns the stored record with its
   * new version, or throws `store.conflict` when someone else changed it first.
   */
  async update(prev: WorkspaceRecord, next: Omit<WorkspaceRecord, 'version' | 'updatedAt'>): Promise<WorkspaceRecord> {
    const rec: WorkspaceRecord = { ...next, version: prev.version + 1, updatedAt: new Date().toISOString() };
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: toItem(rec),
        ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': prev.version },
      })),
      () => new WorkbayError('store.conflict', `workspace ${prev.id} was changed concurrently`),
    );
    return rec;
  }

  async remove(prev: WorkspaceRecord): Promise<void> {
    await guarded(
      () => this.db.doc.send(new DeleteCommand({
        TableName: this.db.table, Key: keys.workspace(prev.id),
        ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': prev.version },
      })),
      () => new WorkbayError('store.conflict', `workspace ${prev.id} was changed concurrently`),
    );
  }

  /** An owner's workspaces, newest first, optionally filtered by status. */
  async listByOwner(owner: string, opts: { limit: number; cursor?: string; status?: WorkspaceStatus }): Promise<Page<WorkspaceRecord>> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_LIST, ScanIndexForward: false, Limit: opts.limit,
      KeyConditionExpression: 'gsi2pk = :o',
      ...(opts.status ? { FilterExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' } } : {}),
      ExpressionAttributeValues: { ':o': ownerList(owner), ...(opts.status ? { ':s': opts.status } : {}) },
      ExclusiveStartKey: decodeCursor(opts.cursor, owner),
    })));
    return {
      items: (out.Items ?? []).map((i) => stripKeys<WorkspaceRecord>(i)),
      cursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  /**
   * Running workspaces whose idle deadline is at or before `until`, soonest first (SWEEP shard of
   * GSI1). Reads only what is due: the cost grows with the number due, not with the fleet.
   */
  async listIdle(until: string, opts: { limit?: number; cursor?: Record<string, unknown> } = {}): Promise<{ items: WorkspaceRecord[]; read: number; cursor?: Record<string, unknown> }> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: opts.limit ?? 100, ExclusiveStartKey: opts.cursor,
      KeyConditionExpression: 'gsi1pk = :s AND gsi1sk <= :u', ExpressionAttributeValues: { ':s': SWEEP_SHARD, ':u': `${until}#~` },
    })));
    return { items: (out.Items ?? []).map((i) => stripKeys<WorkspaceRecord>(i)), read: out.ScannedCount ?? out.Count ?? 0, cursor: out.LastEvaluatedKey };
  }

  /**
   * Stopped workspaces under retention whose warning or delete time is at or before `until`, soonest
   * first (RETAIN shard of GSI1). Like listIdle, it reads only what is due.
   */
  async listRetained(until: string, opts: { limit?: number; cursor?: Record<string, unknown> } = {}): Promise<{ items: WorkspaceRecord[]; read: number; cursor?: Record<string, unknown> }> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: opts.limit ?? 100, ExclusiveStartKey: opts.cursor,
      KeyConditionExpression: 'gsi1pk = :s AND gsi1sk <= :u', ExpressionAttributeValues: { ':s': RETAIN_SHARD, ':u': `${until}#~` },
    })));
    return { items: (out.Items ?? []).map((i) => stripKeys<WorkspaceRecord>(i)), read: out.ScannedCount ?? out.Count ?? 0, cursor: out.LastEvaluatedKey };
  }

  /**
   * One page of settled, provisioned workspaces for the drift resync: the SWEEP shard (Running with a
   * deadline), the RETAIN shard (Stopped under retention) or the SETTLED shard (the rest), in index
   * order; the caller keeps the cursor between runs.
   */
  async listSettled(shard: 'sweep' | 'retain' | 'settled', opts: { limit: number; cursor?: Record<string, unknown> }): Promise<{ items: WorkspaceRecord[]; cursor?: Record<string, unknown> }> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: opts.limit, ExclusiveStartKey: opts.cursor,
      KeyConditionExpression: 'gsi1pk = :s', ExpressionAttributeValues: { ':s': shard === 'sweep' ? SWEEP_SHARD : shard === 'retain' ? RETAIN_SHARD : SETTLED_SHARD },
    })));
    return { items: (out.Items ?? []).map((i) => stripKeys<WorkspaceRecord>(i)), cursor: out.LastEvaluatedKey };
  }

  /** Workspaces with work to do (WORK shard of GSI1), soonest lease expiry first. */
  async listWork(limit = 100): Promise<WorkspaceRecord[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, IndexName: GSI_SWEEP, Limit: limit,
      KeyConditionExpression: 'gsi1pk = :w', ExpressionAttributeValues: { ':w': WORK_SHARD },
    })));
    return (out.Items ?? []).map((i) => stripKeys<WorkspaceRecord>(i));
  }
}
