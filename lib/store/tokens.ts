import { DeleteCommand, GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys } from './keys';
import type { TokenRecord } from './types';
import { GSI_LIST } from '../../infra/table';

/** GSI2 partition listing every token, sorted by its public prefix. */
export const TOKENS_LIST = 'TOKENS';
/** Setting item naming the hash of the current bootstrap admin token. */
const BOOTSTRAP = keys.setting('bootstrap-admin-token');
/** Descriptions of bootstrap tokens written before the bootstrap pointer existed. */
const LEGACY_BOOTSTRAP = ['from WORKBAY_ADMIN_TOKEN', 'embedded-mode admin', 'bootstrap admin (infra/admin-token.ts)'];
/** Expired tokens stay listed this long before DynamoDB's TTL removes them. */
const EXPIRED_KEPT_SECONDS = 24 * 3600;

/** Token items: `TOKEN#<sha256>`/`META`, listed through GSI2. The secret itself is never stored. */
export class TokenRepo {
  constructor(private readonly db: Db) {}

  private item(t: TokenRecord) {
    const ttl = t.validUntil ? { expiresAt: Math.ceil(Date.parse(t.validUntil) / 1000) + EXPIRED_KEPT_SECONDS } : {};
    return { ...keys.token(t.hash), kind: 'token', gsi2pk: TOKENS_LIST, gsi2sk: t.prefix, ...t, ...ttl };
  }

  /** Stores a token; returns false when that hash exists already (idempotent bootstrap). */
  async put(t: TokenRecord): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: this.item(t), ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    }, () => false);
  }

  /** The token with this hash. Read consistently, so a revoke is effective on the very next request. */
  async get(hash: string): Promise<TokenRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: keys.token(hash), ConsistentRead: true })));
    return out.Item ? stripKeys<TokenRecord>(out.Item) : undefined;
  }

  /** Every token (a GSI2 query, not a scan), with `prefix` set to `only` when given. */
  async list(only?: string): Promise<TokenRecord[]> {
    const items: TokenRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() => this.db.doc.send(new QueryCommand({
        TableName: this.db.table, IndexName: GSI_LIST,
        KeyConditionExpression: only === undefined ? 'gsi2pk = :p' : 'gsi2pk = :p AND gsi2sk = :s',
        ExpressionAttributeValues: { ':p': TOKENS_LIST, ...(only === undefined ? {} : { ':s': only }) },
        ExclusiveStartKey: start,
      })));
      for (const it of out.Items ?? []) items.push(stripKeys<TokenRecord>(it));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Deletes a token; false when it was not there. */
  async remove(hash: string): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new DeleteCommand({
        TableName: this.db.table, Key: keys.token(hash), ConditionExpression: 'attribute_exists(pk)',
      }));
      return true;
    }, () => false);
  }

  /**
   * Records a use, unless one was recorded after `notBefore` already (the caller decides how often).
   * Never recreates a revoked token; also lists tokens stored before the GSI2 listing existed.
   */
  async touch(t: TokenRecord, at: string, notBefore: string): Promise<void> {
    await guarded(async () => {
      await this.db.doc.send(new UpdateCommand({
        TableName: this.db.table, Key: keys.token(t.hash),
        UpdateExpression: 'SET lastUsedAt = :at, gsi2pk = if_not_exists(gsi2pk, :l), gsi2sk = if_not_exists(gsi2sk, :p)',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :nb)',
        ExpressionAttributeValues: { ':at': at, ':nb': notBefore, ':l': TOKENS_LIST, ':p': t.prefix },
      }));
    }, () => undefined);
  }

  /**
   * Makes `t` the bootstrap admin token: stores it (if new), points the bootstrap setting at it and
   * deletes the previous bootstrap token, so a replaced admin token stops working. Returns the
   * prefixes of the tokens it retired. Order matters: the new token exists before the old one goes.
   */
  async rotateBootstrap(t: TokenRecord): Promise<string[]> {
    await this.put({ ...t, bootstrap: true });
    const current = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: BOOTSTRAP, ConsistentRead: true })));
    const previous = current.Item?.hash as string | undefined;
    if (previous === t.hash) return [];
    const stale = previous ? [previous] : await this.legacyBootstrapHashes();
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table, Item: { ...BOOTSTRAP, kind: 'setting', hash: t.hash, updatedAt: new Date().toISOString() },
    })));
    const retired: string[] = [];
    for (const hash of stale.filter((h) => h !== t.hash)) {
      const old = await this.get(hash);
      if (old && await this.remove(hash)) retired.push(old.prefix);
    }
    return retired;
  }

  /**
   * Bootstrap tokens of a table written before the pointer existed. A filtered scan, run once per
   * table (the pointer exists afterwards) by a process start or the operator's seeding tool.
   */
  private async legacyBootstrapHashes(): Promise<string[]> {
    const hashes: string[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() => this.db.doc.send(new ScanCommand({
        TableName: this.db.table, ExclusiveStartKey: start,
        FilterExpression: '#k = :k AND #r = :admin AND #d IN (:d0, :d1, :d2)',
        ExpressionAttributeNames: { '#k': 'kind', '#r': 'role', '#d': 'description' },
        ExpressionAttributeValues: { ':k': 'token', ':admin': 'admin', ':d0': LEGACY_BOOTSTRAP[0], ':d1': LEGACY_BOOTSTRAP[1], ':d2': LEGACY_BOOTSTRAP[2] },
      })));
      for (const it of out.Items ?? []) hashes.push(String(it.hash));
      start = out.LastEvaluatedKey;
    } while (start);
    return hashes;
  }
}
