import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded } from './conditional';
import { keys } from './keys';
import { onceUntilFailed } from '../once';

/** Shard count of new tables: 16 index partitions per sparse key (ADR 0015 sizes it per fleet). */
export const DEFAULT_INDEX_SHARDS = 16;

/** The count a new table starts with: `WORKBAY_INDEX_SHARDS` when set (ADR 0015), else the default. */
export function initialShards(env: Record<string, string | undefined> = process.env): number {
  const raw = env.WORKBAY_INDEX_SHARDS;
  if (raw === undefined || raw === '') return DEFAULT_INDEX_SHARDS;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_INDEX_SHARDS) throw new Error(`WORKBAY_INDEX_SHARDS must be an integer 1..${MAX_INDEX_SHARDS}, not ${raw}`);
  return n;
}
/** The most shards a table may be set to: every sweep, re-drive and listing queries each one. */
export const MAX_INDEX_SHARDS = 512;

const ITEM = keys.setting('index-shards');

/** FNV-1a of the id: stable across processes and releases, so a workspace keeps its shard. */
export function shardOf(id: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** The sharded value of a sparse index key: `SWEEP#7`. */
export const shardKey = (base: string, id: string, shards: number) => `${base}#${shardOf(id, shards)}`;

/**
 * Every partition a reader must query for `base`: the unsharded key first (items written before
 * sharding keep it until their next write, ADR 0015), then each shard.
 */
export function shardKeys(base: string, shards: number): string[] {
  return [base, ...Array.from({ length: shards }, (_, n) => `${base}#${n}`)];
}

/**
 * The table's shard count, kept in the table (`SETTING#index-shards`) so every process of a
 * deployment shards alike. Made once with the default; only ever read afterwards, because a process
 * that shards by another count would write where readers of the stored count do not look.
 */
export class ShardSetting {

  constructor(private readonly db: Db, private readonly initial = initialShards()) {}

  /** Read (or made) on the first call and kept; a failed read is tried again by the next call. */
  readonly get: () => Promise<number> = onceUntilFailed(() => this.read());

  private async read(): Promise<number> {
    const got = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: ITEM, ConsistentRead: true })));
    const n = got.Item?.shards;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_INDEX_SHARDS) return n;
    if (n !== undefined) throw new Error(`SETTING#index-shards holds ${JSON.stringify(n)}, not a shard count 1..${MAX_INDEX_SHARDS}`);
    const made = await guarded(async () => {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, ConditionExpression: 'attribute_not_exists(pk)',
        Item: { ...ITEM, kind: 'setting', shards: this.initial, createdAt: new Date().toISOString() },
      }));
      return true;
    }, () => false);
    return made ? this.initial : this.read(); // false: another process made it first
  }
}

/** One merged query over several partitions of an index. */
export interface MergedQuery {
  index: string;
  pkAttr: string;
  skAttr: string;
  partitions: string[];
  limit: number;
  /** Newest first (descending sort key) instead of oldest first. */
  descending?: boolean;
  /** Only sort keys at or before (ascending) this value. */
  until?: string;
  /** Continue after (ascending) or before (descending) this sort key, exclusive. */
  after?: string;
  filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> };
}

/**
 * Queries every partition in parallel and merges them by sort key. Each shard reads about twice its
 * share of a page, so the cost stays what is due; the merged page is cut where the partition that
 * stopped earliest stopped, so no item is skipped (a page may come back short, never out of order).
 */
export async function queryMerged(db: Db, q: MergedQuery): Promise<{ items: Record<string, unknown>[]; read: number; next?: string }> {
  const desc = !!q.descending;
  if (q.after !== undefined && q.until !== undefined && q.after > q.until) return { items: [], read: 0 };
  const cond: string[] = ['#pk = :pk'];
  const values: Record<string, unknown> = { ...q.filter?.values };
  if (q.after !== undefined && q.until !== undefined) { cond.push('#sk BETWEEN :a AND :u'); values[':a'] = q.after; values[':u'] = q.until; }
  else if (q.after !== undefined) { cond.push(desc ? '#sk < :a' : '#sk > :a'); values[':a'] = q.after; }
  else if (q.until !== undefined) { cond.push('#sk <= :u'); values[':u'] = q.until; }
  // Ids hash evenly over the shards, so a share of the page each (twice over) fills it; the first
  // partition (the unsharded key of older items) may hold everything and reads a whole page.
  const share = Math.max(2, Math.ceil((2 * q.limit) / q.partitions.length));
  const before = (x: string, y: string) => (desc ? x > y : x < y);
  const sk = (it: Record<string, unknown>) => it[q.skAttr] as string;
  const query = (pk: string, n: number, start?: Record<string, unknown>) => guarded(() => db.doc.send(new QueryCommand({
    TableName: db.table, IndexName: q.index, Limit: n === 0 ? q.limit : Math.min(q.limit, share), ScanIndexForward: !desc,
    KeyConditionExpression: cond.join(' AND '),
    ExpressionAttributeNames: { '#pk': q.pkAttr, ...(cond.length > 1 ? { '#sk': q.skAttr } : {}), ...q.filter?.names },
    ExpressionAttributeValues: { ...values, ':pk': pk },
    ...(q.filter ? { FilterExpression: q.filter.expression } : {}),
    ...(start ? { ExclusiveStartKey: start } : {}),
  })));
  let read = 0;
  const seen = new Map<string, Record<string, unknown>>();
  /** Where each partition stopped (undefined: read to its end). */
  const rest: (Record<string, unknown> | undefined)[] = q.partitions.map(() => undefined);
  const take = (n: number, out: { Items?: Record<string, unknown>[]; LastEvaluatedKey?: Record<string, unknown>; ScannedCount?: number; Count?: number }) => {
    read += out.ScannedCount ?? out.Count ?? 0;
    for (const it of out.Items ?? []) {
      // BETWEEN is inclusive; the item at the cursor was on the previous page.
      if (it[q.skAttr] === q.after) continue;
      seen.set(`${it.pk as string}\u0000${it.sk as string}`, it);
    }
    rest[n] = out.LastEvaluatedKey;
  };
  (await Promise.all(q.partitions.map((pk, n) => query(pk, n)))).forEach((out, n) => take(n, out));
  // The page is safe up to the earliest point where a partition stopped; while that leaves it short,
  // read on in just those partitions (ids hash evenly, so this is rare and cheap).
  const boundOf = () => rest.reduce<string | undefined>((b, k) => {
    const last = k?.[q.skAttr] as string | undefined;
    return last !== undefined && (b === undefined || before(last, b)) ? last : b;
  }, undefined);
  const safe = () => [...seen.values()].filter((it) => { const b = boundOf(); return b === undefined || !before(b, sk(it)); });
  for (let round = 0; round < 8 && boundOf() !== undefined && safe().length < q.limit; round++) {
    const b = boundOf()!;
    const cut = q.partitions.map((pk, n) => ({ pk, n })).filter(({ n }) => rest[n]?.[q.skAttr] === b);
    (await Promise.all(cut.map(({ pk, n }) => query(pk, n, rest[n])))).forEach((out, i) => take(cut[i]!.n, out));
  }
  const bound = boundOf();
  const merged = safe().sort((x, y) => (sk(x) === sk(y) ? 0 : before(sk(x), sk(y)) ? -1 : 1));
  const items = merged.slice(0, q.limit);
  const more = bound !== undefined || merged.length > items.length;
  const next = more ? (items.length ? sk(items[items.length - 1]!) : bound) : undefined;
  return { items, read, next };
}
