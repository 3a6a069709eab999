import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys, PROVIDERS_LIST } from './keys';
import type { ProviderRecord } from './types';
import { GSI_LIST } from '../../infra/table';
import { WorkbayError } from '../errors';

const notFound = (name: string) => new WorkbayError('provider.notFound', `provider "${name}" does not exist`);

/** Provider items: `PROVIDER#<name>`/`META`, listed through GSI2. */
export class ProviderRepo {
  constructor(private readonly db: Db) {}

  private item(p: ProviderRecord) {
    return { ...keys.provider(p.name), kind: 'provider', gsi2pk: PROVIDERS_LIST, gsi2sk: p.name, ...p };
  }

  /** Adds a provider; 409 when the name is taken. */
  async create(p: ProviderRecord): Promise<void> {
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: this.item(p), ConditionExpression: 'attribute_not_exists(pk)',
      })),
      () => new WorkbayError('provider.conflict', `provider "${p.name}" already exists`, {
        errors: [{ field: 'name', message: 'a provider with this name already exists; delete it first or pick another name' }],
      }),
    );
  }

  async get(name: string): Promise<ProviderRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({
      TableName: this.db.table, Key: keys.provider(name), ConsistentRead: true,
    })));
    return out.Item ? stripKeys<ProviderRecord>(out.Item) : undefined;
  }

  async require(name: string): Promise<ProviderRecord> {
    const p = await this.get(name);
    if (!p || p.deleting) throw notFound(name);
    return p;
  }

  async list(): Promise<ProviderRecord[]> {
    const items: ProviderRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() => this.db.doc.send(new QueryCommand({
        TableName: this.db.table, IndexName: GSI_LIST,
        KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': PROVIDERS_LIST },
        ExclusiveStartKey: start,
      })));
      for (const it of out.Items ?? []) items.push(stripKeys<ProviderRecord>(it));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.filter((p) => !p.deleting);
  }

  /** Replaces a provider if its version is still `expected`; a concurrent change is a 409. */
  async replace(p: ProviderRecord, expected: number): Promise<void> {
    await guarded(
      () => this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: this.item(p),
        ConditionExpression: 'attribute_exists(pk) AND version = :v', ExpressionAttributeValues: { ':v': expected },
      })),
      () => new WorkbayError('store.conflict', `provider "${p.name}" was changed concurrently, try again`),
    );
  }

  async remove(name: string, expected: number): Promise<void> {
    await guarded(
      () => this.db.doc.send(new DeleteCommand({
        TableName: this.db.table, Key: keys.provider(name),
        ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expected },
      })),
      () => new WorkbayError('store.conflict', `provider "${name}" was changed concurrently, try again`),
    );
  }

  /** Records that a workspace uses the provider (see ADR 0002 for the delete protocol). */
  async markUse(name: string, wsId: string): Promise<void> {
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table, Item: { ...keys.providerUse(name, wsId), kind: 'providerUse', createdAt: new Date().toISOString() },
    })));
  }

  async unmarkUse(name: string, wsId: string): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.providerUse(name, wsId) })));
  }

  /** Ids of workspaces marked as using the provider (up to `limit`). */
  async uses(name: string, limit = 25): Promise<{ workspaceId: string; createdAt: string }[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, ConsistentRead: true, Limit: limit,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :w)',
      ExpressionAttributeValues: { ':p': keys.provider(name).pk, ':w': 'WS#' },
    })));
    return (out.Items ?? []).map((i) => ({ workspaceId: String(i.sk).slice(3), createdAt: String(i.createdAt ?? '') }));
  }
}
