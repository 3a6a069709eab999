import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './client';
import { guarded } from './conditional';
import { keys } from './keys';

/** What a quota counts: workspaces that exist, or workspaces meant to run. */
export type QuotaKind = 'workspaces' | 'running';

const ATTR: Record<QuotaKind, string> = { workspaces: 'wsIds', running: 'runningIds' };

/**
 * Quota holdings, one item per provider and owner (`QUOTA#<provider>#<owner>`) with a string set
 * of workspace ids per kind. A workspace joins with one conditional update ("fewer than max members,
 * or already a member"), so concurrent creates can never together pass the limit, without
 * transactions (ADR 0001). Members are ids, not a counter, so a holding left by a crash can be
 * recognised (its workspace is gone) and dropped.
 */
export class QuotaRepo {
  constructor(private readonly db: Db) {}

  /** Adds `id` if the set has fewer than `max` members (or holds it already); false when full. */
  async reserve(kind: QuotaKind, provider: string, owner: string, id: string, max: number): Promise<boolean> {
    return guarded(async () => {
      await this.db.doc.send(new UpdateCommand({
        TableName: this.db.table, Key: keys.quota(provider, owner),
        UpdateExpression: 'ADD #m :ids SET kind = :kind',
        ConditionExpression: 'attribute_not_exists(#m) OR size(#m) < :max OR contains(#m, :id)',
        ExpressionAttributeNames: { '#m': ATTR[kind] },
        ExpressionAttributeValues: { ':ids': new Set([id]), ':max': max, ':id': id, ':kind': 'quota' },
      }));
      return true;
    }, () => false);
  }

  /** Adds ids without a limit (seeding from the workspaces that exist) and marks the kind seeded. */
  async seed(kind: QuotaKind, provider: string, owner: string, ids: string[]): Promise<void> {
    await guarded(() => this.db.doc.send(new UpdateCommand({
      TableName: this.db.table, Key: keys.quota(provider, owner),
      UpdateExpression: `${ids.length ? 'ADD #m :ids ' : ''}SET kind = :kind, #seeded = :true`,
      ExpressionAttributeNames: { '#seeded': `${ATTR[kind]}Seeded`, ...(ids.length ? { '#m': ATTR[kind] } : {}) },
      ExpressionAttributeValues: { ':kind': 'quota', ':true': true, ...(ids.length ? { ':ids': new Set(ids) } : {}) },
    })));
  }

  /** Removes `id` from the set; nothing to remove is success. */
  async release(kind: QuotaKind, provider: string, owner: string, id: string): Promise<void> {
    await guarded(() => this.db.doc.send(new UpdateCommand({
      TableName: this.db.table, Key: keys.quota(provider, owner),
      UpdateExpression: 'DELETE #m :ids', ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#m': ATTR[kind] }, ExpressionAttributeValues: { ':ids': new Set([id]) },
    })), () => undefined);
  }

  /** The members of one kind, or undefined when the kind was never seeded for this owner and provider. */
  async members(kind: QuotaKind, provider: string, owner: string): Promise<string[] | undefined> {
    const out = await guarded(() => this.db.doc.send(new GetCommand({
      TableName: this.db.table, Key: keys.quota(provider, owner), ConsistentRead: true,
    })));
    if (!out.Item || out.Item[`${ATTR[kind]}Seeded`] !== true) return undefined;
    const set = out.Item[ATTR[kind]] as Set<string> | undefined;
    return set ? [...set] : [];
  }
}
