import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Db } from './client';
import { guarded, stripKeys } from './conditional';
import { GSI_LIST } from '../../infra/table';
import { WorkbayError } from '../errors';

/** GSI2 partition listing every integration. */
const INTEGRATIONS_LIST = 'INTEGRATIONS';
const pkOf = (id: string) => `INTEG#${id}`;
const ulid = monotonicFactory();
const EVENT_TTL_SECONDS = 90 * 24 * 3600;
/** GitHub lets an admin redeliver for 30 days; a claim outlives that. */
export const DELIVERY_TTL_SECONDS = 31 * 24 * 3600;
/** A Slack response_url works for 30 minutes. */
export const FOLLOWUP_TTL_SECONDS = 30 * 60;
/** A Slack response_url takes at most five messages. */
export const FOLLOWUP_MAX_USES = 5;

/** A GitHub or Slack integration as stored (`INTEG#<id>`/`META`). Secrets are references only. */
export interface IntegrationRecord {
  id: string;
  kind: 'github' | 'slack';
  /** Kind-specific settings (validated at the API edge); never a secret value. */
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** The workspace a pull request has (`INTEG#<id>`/`PR#<repo>#<n>`), with the head it was made from. */
export interface PullRequestRecord {
  repo: string;
  number: number;
  owner: string;
  url: string;
  ref: string;
  sha: string;
  workspaceId?: string;
  updatedAt: string;
}

/** An event on an integration (`INTEG#<id>`/`EV#<ulid>`): inbound requests that touched no workspace, or did. */
export interface IntegrationEvent {
  id: string;
  integrationId: string;
  type: string;
  message: string;
  data?: Record<string, unknown>;
  at: string;
}

/** Where follow-ups of a Slack command go (`WS#<id>`/`FOLLOWUP#slack`). */
export interface FollowUpRecord {
  workspaceId: string;
  integrationId: string;
  responseUrl: string;
  uses: number;
  createdAt: string;
}

/** `kind` of every item names the item type, so the integration's own kind is kept as `integrationKind`. */
function fromItem(item: Record<string, unknown>): IntegrationRecord {
  const { integrationKind, ...rest } = stripKeys<Record<string, unknown>>(item);
  return { ...rest, kind: integrationKind } as IntegrationRecord;
}

/** Integration items in the single table: definitions, delivery claims, PR heads, Slack links, events. */
export class IntegrationRepo {
  constructor(private readonly db: Db) {}

  private put(item: Record<string, unknown>, condition?: string) {
    return this.db.doc.send(new PutCommand({ TableName: this.db.table, Item: item, ...(condition ? { ConditionExpression: condition } : {}) }));
  }

  private async getItem(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({ TableName: this.db.table, Key: { pk, sk }, ConsistentRead: true })));
    return out.Item;
  }

  /** Adds an integration; 409 when the id is taken. */
  async create(r: IntegrationRecord): Promise<void> {
    await guarded(
      () => this.put({ ...r, pk: pkOf(r.id), sk: 'META', kind: 'integration', integrationKind: r.kind, gsi2pk: INTEGRATIONS_LIST, gsi2sk: r.id }, 'attribute_not_exists(pk)'),
      () => new WorkbayError('integration.conflict', `integration "${r.id}" already exists`, {
        errors: [{ field: 'body.name', message: 'pick another name or delete the existing integration first' }],
      }),
    );
  }

  async get(id: string): Promise<IntegrationRecord | undefined> {
    const item = await this.getItem(pkOf(id), 'META');
    return item ? fromItem(item) : undefined;
  }

  async list(): Promise<IntegrationRecord[]> {
    const items: IntegrationRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await guarded(() => this.db.doc.send(new QueryCommand({
        TableName: this.db.table, IndexName: GSI_LIST, ExclusiveStartKey: start,
        KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': INTEGRATIONS_LIST },
      })));
      for (const it of out.Items ?? []) items.push(fromItem(it));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Removes the definition (claims, links and events expire or are unreachable without it). */
  async remove(id: string): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: { pk: pkOf(id), sk: 'META' }, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    }, () => false);
  }

  /** Claims one inbound delivery; false when it was claimed before (a redelivery or a retry). */
  async claimDelivery(id: string, delivery: string): Promise<boolean> {
    const expiresAt = Math.floor(Date.now() / 1000) + DELIVERY_TTL_SECONDS;
    return guarded(async () => {
      await this.put({ pk: pkOf(id), sk: `DELIVERY#${delivery}`, kind: 'delivery', at: new Date().toISOString(), expiresAt }, 'attribute_not_exists(pk)');
      return true;
    }, () => false);
  }

  /** Gives a claim back after a failure, so a redelivery can do the work. */
  async releaseDelivery(id: string, delivery: string): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: { pk: pkOf(id), sk: `DELIVERY#${delivery}` } })));
  }

  async getPullRequest(id: string, repo: string, number: number): Promise<PullRequestRecord | undefined> {
    const item = await this.getItem(pkOf(id), `PR#${repo}#${number}`);
    return item ? stripKeys<PullRequestRecord>(item) : undefined;
  }

  async putPullRequest(id: string, pr: PullRequestRecord): Promise<void> {
    await guarded(() => this.put({ pk: pkOf(id), sk: `PR#${pr.repo}#${pr.number}`, kind: 'integrationPr', ...pr }));
  }

  async removePullRequest(id: string, repo: string, number: number): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: { pk: pkOf(id), sk: `PR#${repo}#${number}` } })));
  }

  /** The workbay owner a Slack user acts as, if linked. */
  async getLink(id: string, team: string, user: string): Promise<string | undefined> {
    const item = await this.getItem(pkOf(id), `SLACKUSER#${team}#${user}`);
    return item ? String(item.owner) : undefined;
  }

  async putLink(id: string, team: string, user: string, owner: string): Promise<void> {
    await guarded(() => this.put({ pk: pkOf(id), sk: `SLACKUSER#${team}#${user}`, kind: 'slackLink', team, user, owner, at: new Date().toISOString() }));
  }

  async removeLink(id: string, team: string, user: string): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new DeleteCommand({ TableName: this.db.table, Key: { pk: pkOf(id), sk: `SLACKUSER#${team}#${user}` }, ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    }, () => false);
  }

  async listLinks(id: string): Promise<{ team: string; user: string; owner: string }[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, ConsistentRead: true,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)', ExpressionAttributeValues: { ':p': pkOf(id), ':s': 'SLACKUSER#' },
    })));
    return (out.Items ?? []).map((i) => ({ team: String(i.team), user: String(i.user), owner: String(i.owner) }));
  }

  async appendEvent(e: Omit<IntegrationEvent, 'id' | 'at'>): Promise<IntegrationEvent> {
    const rec: IntegrationEvent = { ...e, id: ulid(), at: new Date().toISOString() };
    await guarded(() => this.put({ pk: pkOf(e.integrationId), sk: `EV#${rec.id}`, kind: 'integrationEvent', ...rec, expiresAt: Math.floor(Date.now() / 1000) + EVENT_TTL_SECONDS }));
    return rec;
  }

  async events(id: string, limit: number): Promise<IntegrationEvent[]> {
    const out = await guarded(() => this.db.doc.send(new QueryCommand({
      TableName: this.db.table, ConsistentRead: true, Limit: limit,
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :e)', ExpressionAttributeValues: { ':p': pkOf(id), ':e': 'EV#' },
    })));
    return (out.Items ?? []).map((i) => stripKeys<IntegrationEvent>(i));
  }

  /** Records where a workspace's follow-ups go; a newer command's response_url replaces an older one. */
  async putFollowUp(f: Omit<FollowUpRecord, 'uses' | 'createdAt'>): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + FOLLOWUP_TTL_SECONDS;
    await guarded(() => this.put({ pk: `WS#${f.workspaceId}`, sk: 'FOLLOWUP#slack', kind: 'followUp', ...f, uses: 0, createdAt: new Date().toISOString(), expiresAt }));
  }

  async getFollowUp(workspaceId: string): Promise<FollowUpRecord | undefined> {
    const item = await this.getItem(`WS#${workspaceId}`, 'FOLLOWUP#slack');
    return item ? stripKeys<FollowUpRecord>(item) : undefined;
  }

  /**
   * Takes one use of a response_url: false once five are used or the 30 minutes are over, so two
   * workers never post the sixth message.
   */
  async useFollowUp(workspaceId: string, now = Date.now()): Promise<FollowUpRecord | undefined> {
    const notBefore = new Date(now - FOLLOWUP_TTL_SECONDS * 1000).toISOString();
    return guarded(async () => {
      const out = await this.db.doc.send(new UpdateCommand({
        TableName: this.db.table, Key: { pk: `WS#${workspaceId}`, sk: 'FOLLOWUP#slack' },
        UpdateExpression: 'SET uses = uses + :one',
        ConditionExpression: 'attribute_exists(pk) AND uses < :max AND createdAt > :nb',
        ExpressionAttributeValues: { ':one': 1, ':max': FOLLOWUP_MAX_USES, ':nb': notBefore },
        ReturnValues: 'ALL_NEW',
      }));
      return out.Attributes ? stripKeys<FollowUpRecord>(out.Attributes) : undefined;
    }, () => undefined);
  }
}
