import { ulid } from 'ulid';
import { shardOf } from '../../lib/store/shards';
import { describe, expect, it } from 'vitest';
import type { Store, WorkspaceRecord } from '../../lib/store';
import { expectCode, idleable, inSeconds, workspace, type StoreContext } from './store-fixtures';

const ids = (list: { id: string }[]) => list.map((w) => w.id);

/** Every page of an owner's listing, following cursors, with the size of each page. */
async function allPages(store: Store, owner: string, limit: number, status?: WorkspaceRecord['status']) {
  const items: WorkspaceRecord[] = [];
  const sizes: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.workspaces.listByOwner(owner, { limit, cursor, status });
    items.push(...page.items);
    sizes.push(page.items.length);
    cursor = page.cursor;
  } while (cursor && sizes.length < 50);
  return { items, sizes };
}

/** Workspace records, their version condition and the two indexes (DESIGN §6). */
export function indexCases(ctx: StoreContext): void {
  describe('workspaces', () => {
    it('reads back exactly what was written, nested maps and empty strings included', async () => {
      const { workspaces } = await ctx.fresh();
      const ws = workspace({
        source: { git: { url: 'https://git.example/repo.git', ref: 'main' } }, options: { MEMORY: '2Gi', EMPTY: '' },
        env: { A: '1' }, driverRef: { containerId: 'c0ffee', volume: 'workbay-x' }, devcontainer: '{ "image": "busybox" }',
        statusReason: undefined,
      });
      await workspaces.create(ws);
      const { statusReason: _gone, ...expected } = ws;
      expect(await workspaces.get(ws.id)).toEqual(expected);
      expect(await workspaces.get('01NOPE')).toBeUndefined();
    });

    it('refuses a second create of the same id and keeps the first', async () => {
      const { workspaces } = await ctx.fresh();
      const ws = workspace();
      await workspaces.create(ws);
      await expectCode(workspaces.create({ ...ws, name: 'other' }), 'store.conflict');
      expect((await workspaces.get(ws.id))?.name).toBe(ws.name);
    });

    it('an update based on a stale version is refused and changes nothing', async () => {
      const { workspaces } = await ctx.fresh();
      const v1 = workspace();
      await workspaces.create(v1);
      const v2 = await workspaces.update(v1, { ...v1, status: 'Creating', leaseOwner: 'w1', leaseUntil: inSeconds(30) });
      expect(v2.version).toBe(2);
      await expectCode(workspaces.update(v1, { ...v1, status: 'Error', statusReason: 'lost race' }), 'store.conflict');
      const stored = await workspaces.get(v1.id);
      expect(stored).toMatchObject({ status: 'Creating', version: 2, leaseOwner: 'w1' });
      const { leaseOwner: _o, leaseUntil: _u, ...released } = v2;
      const v3 = await workspaces.update(v2, { ...released, status: 'Running' });
      expect(await workspaces.get(v1.id)).toEqual(v3);
      expect((await workspaces.get(v1.id))?.leaseOwner).toBeUndefined();
    });

    it('of concurrent updates from the same version exactly one wins; the others get store.conflict', async () => {
      const { workspaces } = await ctx.fresh();
      const v1 = workspace();
      await workspaces.create(v1);
      const racers = ['w1', 'w2', 'w3', 'w4', 'w5'];
      const out = await Promise.allSettled(racers.map((w) => workspaces.update(v1, { ...v1, status: 'Creating', leaseOwner: w })));
      const won = out.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      expect(won).toHaveLength(1);
      for (const o of out) if (o.status === 'rejected') expect((o.reason as { code?: string }).code).toBe('store.conflict');
      expect(await workspaces.get(v1.id)).toEqual(won[0]);
    });

    it('a delete at a stale version is refused; a delete at the current one removes it everywhere', async () => {
      const { workspaces } = await ctx.fresh();
      const v1 = workspace({ owner: 'carol' });
      await workspaces.create(v1);
      const v2 = await workspaces.update(v1, { ...v1, desiredState: 'Deleted', status: 'Deleting' });
      await expectCode(workspaces.remove(v1), 'store.conflict');
      expect(ids(await workspaces.listWork())).toEqual([v1.id]);
      await workspaces.remove(v2);
      expect(await workspaces.get(v1.id)).toBeUndefined();
      expect((await workspaces.listByOwner('carol', { limit: 10 })).items).toEqual([]);
      expect(await workspaces.listWork()).toEqual([]);
      await expectCode(workspaces.update(v2, { ...v2, status: 'Error' }), 'store.conflict');
      expect(await workspaces.get(v1.id)).toBeUndefined();
    });
  });

  describe('GSI1 shards', () => {
    it('WORK holds exactly the workspaces with work to do, unleased first, then by lease expiry', async () => {
      const { workspaces } = await ctx.fresh();
      const late = workspace({ status: 'Creating', leaseOwner: 'w', leaseUntil: inSeconds(90) });
      const early = workspace({ status: 'Creating', leaseOwner: 'w', leaseUntil: inSeconds(30) });
      const fresh = workspace();
      const stopping = workspace({ status: 'Running', desiredState: 'Stopped' });
      const settled = workspace({ status: 'Running' });
      const failed = workspace({ status: 'Error', statusReason: 'engine refused' });
      const deleting = workspace({ status: 'Deleting', desiredState: 'Deleted' });
      // A delete that ended in Error waits for a retry or an admin's force, like any Error (ADR 0005).
      const deleteFailed = workspace({ status: 'Error', desiredState: 'Deleted' });
      for (const w of [late, early, fresh, stopping, settled, failed, deleting, deleteFailed]) await workspaces.create(w);
      const work = ids(await workspaces.listWork());
      expect(work.slice(0, 3).sort()).toEqual([fresh.id, stopping.id, deleting.id].sort());
      expect(work.slice(3)).toEqual([early.id, late.id]);
      expect(ids(await workspaces.listWork(2))).toEqual(work.slice(0, 2));
    });

    it('a workspace leaves WORK when it settles and joins SWEEP only with a timeout and a deadline', async () => {
      const { workspaces } = await ctx.fresh();
      const a = workspace({ inactivityTimeoutSeconds: 600 });
      await workspaces.create(a);
      expect(ids(await workspaces.listWork())).toEqual([a.id]);
      const deadline = inSeconds(-5);
      const a2 = await workspaces.update(a, { ...a, status: 'Running', idleDeadline: deadline });
      expect(await workspaces.listWork()).toEqual([]);
      expect(ids((await workspaces.listIdle(inSeconds(0))).items)).toEqual([a.id]);
      await workspaces.update(a2, { ...a2, inactivityTimeoutSeconds: 0 });
      expect((await workspaces.listIdle(inSeconds(3600))).items).toEqual([]);
      const b = idleable(deadline);
      await workspaces.create({ ...b, idleDeadline: undefined });
      expect((await workspaces.listIdle(inSeconds(3600))).items).toEqual([]);
    });

    it('SWEEP lists what is due, soonest first, in pages that follow each other', async () => {
      const { workspaces } = await ctx.fresh();
      const due = [-50, -40, -30, -20, -10].map((s) => idleable(inSeconds(s)));
      const notYet = idleable(inSeconds(600));
      for (const w of [due[3]!, notYet, due[0]!, due[4]!, due[2]!, due[1]!]) await workspaces.create(w);
      const now = inSeconds(0);
      const all = await workspaces.listIdle(now);
      expect(ids(all.items)).toEqual(ids(due));
      expect(all.read).toBe(5);
      const seen: string[] = [];
      let cursor: Record<string, unknown> | undefined;
      let pages = 0;
      do {
        const page = await workspaces.listIdle(now, { limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page.items));
        cursor = page.cursor;
      } while (cursor && ++pages < 10);
      expect(seen).toEqual(ids(due));
    });
  });

  describe('GSI2 owner index', () => {
    it('lists an owner\'s workspaces newest first, in pages that follow each other, and nobody else\'s', async () => {
      const store = await ctx.fresh();
      const made = [1, 2, 3, 4, 5].map((d) => workspace({ owner: 'dana', createdAt: `2026-03-0${d}T00:00:00.000Z` }));
      for (const w of [made[2]!, made[0]!, made[4]!, made[1]!, made[3]!]) await store.workspaces.create(w);
      await store.workspaces.create(workspace({ owner: 'erin' }));
      await store.workspaces.create(workspace({ owner: 'dana-2' }));
      const newest = ids([...made].reverse());
      expect(ids((await store.workspaces.listByOwner('dana', { limit: 10 })).items)).toEqual(newest);
      const { items, sizes } = await allPages(store, 'dana', 2);
      expect(ids(items)).toEqual(newest);
      expect(sizes.slice(0, 3)).toEqual([2, 2, 1]);
      const last = await store.workspaces.listByOwner('dana', { limit: 5 });
      expect(ids(last.items)).toEqual(newest);
    });

    it('fills a page even when one shard holds most of it (no short page while more is due)', async () => {
      const store = await ctx.fresh();
      const shards = await store.workspaces['shards'].get();
      const crowded: string[] = [];
      for (let i = 0; crowded.length < 7; i++) {
        const id = ulid();
        if (shardOf(id, shards) === 3) crowded.push(id);
      }
      const made = crowded.map((id, d) => workspace({ id, owner: 'gus', createdAt: `2026-05-0${d + 1}T00:00:00.000Z` }));
      for (const w of made) await store.workspaces.create(w);
      const page = await store.workspaces.listByOwner('gus', { limit: 10 });
      expect(ids(page.items)).toEqual(ids([...made].reverse()));
      expect(page.cursor).toBeUndefined();
    });

    it('filters by status without losing later pages', async () => {
      const store = await ctx.fresh();
      const made = [1, 2, 3, 4, 5, 6].map((d) => workspace({ owner: 'fay', createdAt: `2026-04-0${d}T00:00:00.000Z`, status: d % 2 ? 'Running' : 'Stopped', desiredState: d % 2 ? 'Running' : 'Stopped' }));
      for (const w of made) await store.workspaces.create(w);
      const { items } = await allPages(store, 'fay', 2, 'Stopped');
      expect(ids(items)).toEqual(ids(made.filter((w) => w.status === 'Stopped').reverse()));
    });

    it('refuses a cursor it did not hand out', async () => {
      const { workspaces } = await ctx.fresh();
      await expectCode(workspaces.listByOwner('dana', { limit: 2, cursor: 'not-a-cursor' }), 'request.invalid');
    });
  });
}
