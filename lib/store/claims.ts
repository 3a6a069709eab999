import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded } from './conditional';
import { keys } from './keys';

/** What a name claim or an idempotency record points at. */
export interface Claim {
  workspaceId: string;
  /** For idempotency records: a fingerprint of the request body, to refuse a reused key with a new body. */
  fingerprint?: string;
  createdAt: string;
}

type KeyOf = (owner: string, k: string) => { pk: string; sk: string };

/**
 * Single-item claims that stand in for transactions (dynalite has none): a workspace name per owner
 * and an Idempotency-Key per owner. A claim is taken with a conditional put; whoever holds it wins.
 */
export class ClaimRepo {
  constructor(private readonly db: Db, private readonly keyOf: KeyOf, private readonly ttlSeconds?: number) {}

  /** Takes the claim; returns the existing claim instead when someone holds it. */
  async take(owner: string, k: string, claim: Claim): Promise<Claim | undefined> {
    const expiresAt = this.ttlSeconds ? Math.floor(Date.now() / 1000) + this.ttlSeconds : undefined;
    const taken = await guarded(async () => {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: { ...this.keyOf(owner, k), kind: 'claim', ...claim, expiresAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }));
      return true;
    }, () => false);
    return taken ? undefined : (await this.get(owner, k)) ?? claim;
  }

  async get(owner: string, k: string): Promise<Claim | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({
      TableName: this.db.table, Key: this.keyOf(owner, k), ConsistentRead: true,
    })));
    if (!out.Item) return undefined;
    const { workspaceId, fingerprint, createdAt } = out.Item as Claim;
    return { workspaceId, fingerprint, createdAt };
  }

  /** Moves a claim from a workspace that never came to be onto another; false when it moved meanwhile. */
  async takeOver(owner: string, k: string, fromWorkspaceId: string, claim: Claim): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new PutCommand({
        TableName: this.db.table, Item: { ...this.keyOf(owner, k), kind: 'claim', ...claim },
        ConditionExpression: 'workspaceId = :w', ExpressionAttributeValues: { ':w': fromWorkspaceId },
      }));
      return true;
    }, () => false);
  }

  /** Releases the claim if it still belongs to `workspaceId`. */
  async release(owner: string, k: string, workspaceId: string): Promise<void> {
    await guarded(() => this.db.doc.send(new DeleteCommand({
      TableName: this.db.table, Key: this.keyOf(owner, k),
      ConditionExpression: 'workspaceId = :w', ExpressionAttributeValues: { ':w': workspaceId },
    })), () => undefined);
  }
}

/** Idempotency records live a day (DynamoDB TTL on AWS). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
export const nameClaims = (db: Db) => new ClaimRepo(db, keys.nameClaim);
export const idempotencyClaims = (db: Db) => new ClaimRepo(db, keys.idempotency, IDEMPOTENCY_TTL_SECONDS);
