import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Store, WorkspaceRecord } from '../../lib/store';
import { sweepAtOf } from '../../lib/workspaces/lifecycle-deadlines';
import { DEFAULT_INDEX_SHARDS, shardOf } from '../../lib/store/shards';
import { GSI_LIST, GSI_SWEEP } from '../../infra/table';
import { idleable, inSeconds, workspace, type StoreContext } from './store-fixtures';

const ids = (list: { id: string }[]) => list.map((w) => w.id);

/** Writes `ws` the way releases before index sharding did: one unsharded key per GSI1 shard and per owner. */
async function putOldLayout(store: Store, ws: WorkspaceRecord, gsi1: { pk: string; sk: string } | undefined): Promise<void> {
  await store.db.doc.send(new PutCommand({
    TableName: store.db.table,
    Item: {
      pk: `WS#${ws.id}`, sk: 'META', kind: 'workspace', ...(gsi1 ? { gsi1pk: gsi1.pk, gsi1sk: gsi1.sk } : {}),
      gsi2pk: `OWNER#${ws.owner}`, gsi2sk: `WS#${ws.createdAt}#${ws.id}`, ...ws,
    },
  }));
}

async function gsi1KeyOf(store: Store, ws: WorkspaceRecord, pk: string): Promise<string[]> {
  const out = await store.db.doc.send(new QueryCommand({
    TableName: store.db.table, IndexName: GSI_SWEEP, KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': pk },
  }));
  return (out.Items ?? []).filter((i) => i.id === ws.id).map((i) => i.gsi1pk as string);
}

/** Index sharding (ADR 0015): items spread over shards, and items of the unsharded layout still work. */
export function shardCases(ctx: StoreContext): void {
  describe('index shards', () => {
    it('spreads one owner\'s workspaces over the shards and still lists and sweeps them in order', async () => {
      const store = await ctx.fresh();
      const made = Array.from({ length: 40 }, (_, i) => idleable(inSeconds(-100 + i), { owner: 'bot', createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString() }));
      for (const w of [...made].reverse()) await store.workspaces.create(w);
      expect(new Set(made.map((w) => shardOf(w.id, DEFAULT_INDEX_SHARDS))).size).toBeGreaterThan(8);
      const out = await store.db.doc.send(new QueryCommand({
        TableName: store.db.table, IndexName: GSI_LIST, KeyConditionExpression: 'gsi2pk = :p', ExpressionAttributeValues: { ':p': 'OWNER#bot' },
      }));
      expect(out.Items).toEqual([]);
      const due = await store.workspaces.listIdle(inSeconds(0));
      expect(ids(due.items)).toEqual(ids(made));
      expect(due.read).toBe(40);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.workspaces.listByOwner('bot', { limit: 7, cursor });
        seen.push(...ids(page.items));
        cursor = page.cursor;
      } while (cursor && seen.length < 100);
      expect(seen).toEqual(ids([...made].reverse()));
    });

    it('lists, sweeps and re-drives workspaces written in the unsharded layout, merged with new ones', async () => {
      const store = await ctx.fresh();
      const oldDue = idleable(inSeconds(-30), { owner: 'olga', createdAt: '2026-01-01T00:00:00.000Z' });
      const oldWork = workspace({ owner: 'olga', status: 'Pending', createdAt: '2026-01-02T00:00:00.000Z' });
      const oldSettled = workspace({ owner: 'olga', status: 'Running', driverRef: { containerId: 'c1' }, createdAt: '2026-01-03T00:00:00.000Z' });
      await putOldLayout(store, oldDue, { pk: 'SWEEP', sk: `${sweepAtOf(oldDue)}#${oldDue.id}` });
      await putOldLayout(store, oldWork, { pk: 'WORK', sk: `#${oldWork.id}` });
      await putOldLayout(store, oldSettled, { pk: 'SETTLED', sk: `${oldSettled.updatedAt}#${oldSettled.id}` });
      const newDue = idleable(inSeconds(-20), { owner: 'olga', createdAt: '2026-01-04T00:00:00.000Z' });
      const earlierDue = idleable(inSeconds(-40), { owner: 'olga', createdAt: '2026-01-05T00:00:00.000Z' });
      await store.workspaces.create(newDue);
      await store.workspaces.create(earlierDue);

      expect(ids((await store.workspaces.listIdle(inSeconds(0))).items)).toEqual([earlierDue.id, oldDue.id, newDue.id]);
      expect(ids(await store.workspaces.listWork())).toEqual([oldWork.id]);
      expect(ids((await store.workspaces.listSettled('settled', { limit: 10 })).items)).toEqual([oldSettled.id]);
      const listed = await store.workspaces.listByOwner('olga', { limit: 2 });
      expect(ids(listed.items)).toEqual([earlierDue.id, newDue.id]);
      const rest = await store.workspaces.listByOwner('olga', { limit: 10, cursor: listed.cursor });
      expect(ids(rest.items)).toEqual([oldSettled.id, oldWork.id, oldDue.id]);

      // The next write of an old item moves it to its shard: nothing is left under the unsharded key.
      const settled = await store.workspaces.update(oldWork, { ...oldWork, status: 'Running', inactivityTimeoutSeconds: 600, idleDeadline: inSeconds(-10) });
      expect(await gsi1KeyOf(store, settled, 'WORK')).toEqual([]);
      expect(await gsi1KeyOf(store, settled, `SWEEP#${shardOf(settled.id, DEFAULT_INDEX_SHARDS)}`)).toEqual([`SWEEP#${shardOf(settled.id, DEFAULT_INDEX_SHARDS)}`]);
      expect(await store.workspaces.listWork()).toEqual([]);
      expect(ids((await store.workspaces.listIdle(inSeconds(0))).items)).toEqual([earlierDue.id, oldDue.id, newDue.id, settled.id]);
    });

    it('continues a listing from a cursor handed out before sharding', async () => {
      const store = await ctx.fresh();
      const made = [1, 2, 3].map((d) => workspace({ owner: 'pia', createdAt: `2026-02-0${d}T00:00:00.000Z` }));
      for (const w of made) await putOldLayout(store, w, undefined);
      const at = made[2]!;
      const old = Buffer.from(JSON.stringify({ gsi2pk: 'OWNER#pia', gsi2sk: `WS#${at.createdAt}#${at.id}`, pk: `WS#${at.id}`, sk: 'META' })).toString('base64url');
      expect(ids((await store.workspaces.listByOwner('pia', { limit: 10, cursor: old })).items)).toEqual([made[1]!.id, made[0]!.id]);
    });

    it('keeps the shard count in the table, the same for every process', async () => {
      const store = await ctx.fresh();
      await store.workspaces.create(workspace());
      const out = await store.db.doc.send(new QueryCommand({
        TableName: store.db.table, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'SETTING#index-shards' }, ConsistentRead: true,
      }));
      expect(out.Items?.[0]?.shards).toBe(DEFAULT_INDEX_SHARDS);
    });
  });
}
