import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import type { StoreContext } from './store-fixtures';

/** Quota holdings (QuotaRepo): the single conditional write that keeps concurrent creates within a limit. */
export function quotaCases(ctx: StoreContext): void {
  describe('quotas', () => {
    it('reserve admits up to max members, is idempotent for a member, and release frees room', async () => {
      const store = await ctx.fresh();
      const q = store.quotas;
      expect(await q.members('workspaces', 'p', 'alice')).toBeUndefined();
      await q.seed('workspaces', 'p', 'alice', []);
      expect(await q.members('workspaces', 'p', 'alice')).toEqual([]);
      const [a, b, c] = [ulid(), ulid(), ulid()];
      expect(await q.reserve('workspaces', 'p', 'alice', a, 2)).toBe(true);
      expect(await q.reserve('workspaces', 'p', 'alice', b, 2)).toBe(true);
      expect(await q.reserve('workspaces', 'p', 'alice', c, 2)).toBe(false);
      expect(await q.reserve('workspaces', 'p', 'alice', a, 2)).toBe(true);
      expect(await q.reserve('running', 'p', 'alice', c, 1)).toBe(true);
      expect(await q.reserve('workspaces', 'p', 'bob', c, 2)).toBe(true);
      await q.release('workspaces', 'p', 'alice', a);
      await q.release('workspaces', 'p', 'alice', a);
      expect((await q.members('workspaces', 'p', 'alice'))?.sort()).toEqual([b]);
      expect(await q.reserve('workspaces', 'p', 'alice', c, 2)).toBe(true);
      await q.release('workspaces', 'p', 'nobody', a);
    });

    it('concurrent reservations never exceed max together', async () => {
      const store = await ctx.fresh();
      const ids = Array.from({ length: 12 }, () => ulid());
      await store.quotas.seed('running', 'p', 'carol', []);
      const won = await Promise.all(ids.map((id) => store.quotas.reserve('running', 'p', 'carol', id, 3)));
      expect(won.filter(Boolean)).toHaveLength(3);
      expect(await store.quotas.members('running', 'p', 'carol')).toHaveLength(3);
    });
  });
}
