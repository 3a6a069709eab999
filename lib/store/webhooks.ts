import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { keys, WEBHOOKS_LIST } from './keys';
import type { Role } from './types';
import { GSI_LIST } from '../../infra/table';
import { WorkbayError } from '../errors';

/** One signing secret of an endpoint (`whsec_` + base64); a rotated-out one keeps working until `expiresAt`. */
export interface WebhookSecret { value: string; createdAt: string; expiresAt?: string }

/** Which workspaces' events a subscription receives: its owner's, or (admins only) everyone's. */
export type WebhookScope = 'own' | 'all';

/** An outgoing-events subscription (Standard Webhooks endpoint). `secrets` never leave the store but to sign. */
export interface WebhookRecord {
  id: string;
  owner: string;
  /** The role of the token that created it: only an admin's subscription may have scope `all`. */
  role: Role;
  url: string;
  eventTypes: string[];
  scope: WebhookScope;
  description?: string;
  /** Newest first; expired ones are dropped when the next rotation is written. */
  secrets: WebhookSecret[];
  status: 'enabled' | 'disabled';
  disabledReason?: string;
  disabledAt?: string;
  /** First failed attempt since the last success: an endpoint failing for days is disabled. */
  failingSince?: string;
  lastSuccessAt?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Subscription items `WEBHOOK#<id>`/`META`, listed through GSI2 (a handful per owner; read once per dispatch). */
export class WebhookRepo {
  constructor(private readonly db: Db) {}

  private item(w: WebhookRecord) {
    return { ...keys.webhook(w.id), kind: 'webhook', gsi2pk: WEBHOOKS_LIST, gsi2sk: `${w.createdAt}#${w.id}`, ...w };
  }

  /** Stores a new subscription. */
  async create(w: WebhookRecord): Promise<void> {
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table, Item: this.item(w), ConditionExpression: 'attribute_not_exists(pk)',
    })), () => new WorkbayError('store.conflict', `webhook ${w.id} exists already`));
  }

  async get(id: string): Promise<WebhookRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: keys.webhook(id), ConsistentRead: true })));
    return out.Item ? stripKeys<WebhookRecord>(out.Item) : undefined;
  }

  /** Every subscription, oldest first (a GSI2 query, not a scan). */
  async list(): Promise<WebhookRecord[]> {
    const items: WebhookRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() => this.db.doc.send(new QueryCommand({
        TableName: this.db.table, IndexName: GSI_LIST, KeyConditionExpression: 'gsi2pk = :p',
        ExpressionAttributeValues: { ':p': WEBHOOKS_LIST }, ExclusiveStartKey: start,
      })));
      items.push(...(out.Items ?? []).map((i) => stripKeys<WebhookRecord>(i)));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Writes `next` if the stored version is still `prev.version`; `store.conflict` otherwise. */
  async update(prev: WebhookRecord, next: WebhookRecord): Promise<WebhookRecord> {
    const rec = { ...next, version: prev.version + 1, updatedAt: new Date().toISOString() };
    await guarded(() => this.db.doc.send(new PutCommand({
      TableName: this.db.table, Item: this.item(rec), ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': prev.version },
    })), () => new WorkbayError('store.conflict', `webhook ${prev.id} changed meanwhile`));
    return rec;
  }

  /**
   * Health bookkeeping after an attempt, without a version check: many deliveries finish at once, and
   * neither field decides anything a concurrent writer could contradict.
   */
  async recordOutcome(id: string, ok: boolean, at: string): Promise<WebhookRecord | undefined> {
    const out = await guarded(() => this.db.doc.send(new UpdateCommand({
      TableName: this.db.table, Key: keys.webhook(id), ReturnValues: 'ALL_NEW',
      ConditionExpression: 'attribute_exists(pk)',
      UpdateExpression: ok ? 'SET lastSuccessAt = :at REMOVE failingSince' : 'SET failingSince = if_not_exists(failingSince, :at)',
      ExpressionAttributeValues: { ':at': at },
    })), () => undefined);
    return out?.Attributes ? stripKeys<WebhookRecord>(out.Attributes) : undefined;
  }

  /** Disables an enabled endpoint; false when it was disabled (or removed) already, so the owner is told once. */
  async disable(id: string, reason: string, at: string): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new UpdateCommand({
        TableName: this.db.table, Key: keys.webhook(id),
        ConditionExpression: 'attribute_exists(pk) AND #s = :on',
        UpdateExpression: 'SET #s = :off, disabledReason = :r, disabledAt = :at, updatedAt = :at ADD version :one',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':on': 'enabled', ':off': 'disabled', ':r': reason, ':at': at, ':one': 1 },
      }));
      return true;
    }, () => false);
  }

  async remove(id: string): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: keys.webhook(id), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    }, () => false);
  }
}
