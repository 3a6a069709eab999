import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys, ownerList, ownerShard, RETAIN_SHARD, SETTLED_SHARD, SWEEP_SHARD, WORK_SHARD } from './keys';
import { decodeOwnerCursor, encodeOwnerCursor } from './owner-cursor';
import { queryMerged, shardKey, shardKeys, shardOf, ShardSetting } from './shards';
import type { WorkspaceRecord, WorkspaceStatus } from './types';
import { needsWork } from '../workspaces/model';
import { retentionCheckAt, sweepAtOf } from '../workspaces/lifecycle-deadlines';

export { needsWork };
import { GSI_LIST, GSI_SWEEP } from '../../infra/table';
import { WorkbayError } from '../errors';

/** One page of a listing; `cursor` is opaque and absent on the last page. */
export interface Page<T> { items: T[]; cursor?: string }

/** A position in a GSI1 listing, handed back to continue; opaque to callers. */
export type IndexCursor = Record<string, unknown>;

const afterOf = (c: IndexCursor | undefined) => (typeof c?.after === 'string' ? c.after : undefined);
const cursorOf = (next: string | undefined): IndexCursor | undefined => (next === undefined ? undefined : { after: next });

/**
 * Workspace items with their index attributes, for a table of `shards` index shards. GSI1 is
 * sparse: in-flight work sits in the WORK shards (ordered by lease expiry, for re-drive), Running
 * workspaces with an idle deadline or a maximum lifetime in the SWEEP shards (ordered by the earlier
 * of the two), Stopped ones under retention in the RETAIN shards (ordered by when the sweeper must
 * look: warning, then delete), other provisioned settled ones in the SETTLED shards (oldest change
 * first, paged by the drift resync); neither the sweep nor re-drive query grows with the fleet.
 * Every key is spread over `shards` partitions by a hash of the id, the owner listing (GSI2) too, so
 * no partition key value takes more than its share of a fleet's writes (ADR 0015).
 */
export function toItem(ws: WorkspaceRecord, shards: number) {
  const sweepAt = ws.status === 'Running' ? sweepAtOf(ws) : undefined;
  const retainAt = ws.status === 'Stopped' ? retentionCheckAt(ws) : undefined;
  const at = (base: string, sk: string) => ({ gsi1pk: shardKey(base, ws.id, shards), gsi1sk: `${sk}#${ws.id}` });
  const sweep = needsWork(ws) ? at(WORK_SHARD, ws.leaseUntil ?? '')
    : sweepAt ? at(SWEEP_SHARD, sweepAt)
      : retainAt ? at(RETAIN_SHARD, retainAt)
        : (ws.status === 'Running' || ws.status === 'Stopped') && ws.driverRef ? at(SETTLED_SHARD, ws.updatedAt) : {};
  return {
    ...keys.workspace(ws.id), kind: 'workspace', ...sweep,
    gsi2pk: ownerShard(ws.owner, shardOf(ws.id, shards)), gsi2sk: `WS#${ws.createdAt}#${ws.id}`, ...ws,
  };
}

/** Workspace items `WS#<id>`/`META`. Every change is a conditional write on `version`. */
export class WorkspaceRepo {
  private readonly shards: ShardSetting;

  constructor(private readonly db: Db, shards?: ShardSetting) {
    this.shards = shards ?? new ShardSetting(db);
  }

  async create(ws: WorkspaceRecord): Promise<void> {
    const shards = await this.shards.get();
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: toItem(ws, shards), ConditionExpression: 'attribute_not_exists(pk)',
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
    const shards = await this.shards.get();
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: toItem(rec, shards),
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

  /** An owner's workspaces, newest first, optionally filtered by status (every owner shard, merged). */
  async listByOwner(owner: string, opts: { limit: number; cursor?: string; status?: WorkspaceStatus }): Promise<Page<WorkspaceRecord>> {
    const shards = await this.shards.get();
    const out = await queryMerged(this.db, {
      index: GSI_LIST, pkAttr: 'gsi2pk', skAttr: 'gsi2sk', limit: opts.limit, descending: true,
      partitions: [ownerList(owner), ...Array.from({ length: shards }, (_, n) => ownerShard(owner, n))],
      after: decodeOwnerCursor(opts.cursor, owner),
      ...(opts.status ? { filter: { expression: '#st = :st', names: { '#st': 'status' }, values: { ':st': opts.status } } } : {}),
    });
    return { items: out.items.map((i) => stripKeys<WorkspaceRecord>(i)), cursor: encodeOwnerCursor(owner, out.next) };
  }

  /** Items of one GSI1 base across its shards (and its unsharded key), merged by sort key. */
  private async gsi1(base: string, opts: { limit: number; until?: string; cursor?: IndexCursor }) {
    const shards = await this.shards.get();
    const out = await queryMerged(this.db, {
      index: GSI_SWEEP, pkAttr: 'gsi1pk', skAttr: 'gsi1sk', limit: opts.limit, partitions: shardKeys(base, shards),
      after: afterOf(opts.cursor), ...(opts.until !== undefined ? { until: `${opts.until}#~` } : {}),
    });
    return { items: out.items.map((i) => stripKeys<WorkspaceRecord>(i)), read: out.read, cursor: cursorOf(out.next) };
  }

  /**
   * Running workspaces whose idle deadline is at or before `until`, soonest first (SWEEP shards of
   * GSI1). Reads only what is due: the cost grows with the number due, not with the fleet.
   */
  async listIdle(until: string, opts: { limit?: number; cursor?: IndexCursor } = {}): Promise<{ items: WorkspaceRecord[]; read: number; cursor?: IndexCursor }> {
    return this.gsi1(SWEEP_SHARD, { limit: opts.limit ?? 100, until, cursor: opts.cursor });
  }

  /**
   * Stopped workspaces under retention whose warning or delete time is at or before `until`, soonest
   * first (RETAIN shards of GSI1). Like listIdle, it reads only what is due.
   */
  async listRetained(until: string, opts: { limit?: number; cursor?: IndexCursor } = {}): Promise<{ items: WorkspaceRecord[]; read: number; cursor?: IndexCursor }> {
    return this.gsi1(RETAIN_SHARD, { limit: opts.limit ?? 100, until, cursor: opts.cursor });
  }

  /**
   * One page of settled, provisioned workspaces for the drift resync: the SWEEP shards (Running with
   * a deadline), the RETAIN shards (Stopped under retention) or the SETTLED shards (the rest), in
   * index order; the caller keeps the cursor between runs.
   */
  async listSettled(shard: 'sweep' | 'retain' | 'settled', opts: { limit: number; cursor?: IndexCursor }): Promise<{ items: WorkspaceRecord[]; cursor?: IndexCursor }> {
    const { items, cursor } = await this.gsi1(shard === 'sweep' ? SWEEP_SHARD : shard === 'retain' ? RETAIN_SHARD : SETTLED_SHARD, opts);
    return { items, cursor };
  }

  /** Workspaces with work to do (WORK shards of GSI1), soonest lease expiry first. */
  async listWork(limit = 100): Promise<WorkspaceRecord[]> {
    return (await this.gsi1(WORK_SHARD, { limit })).items;
  }
}
