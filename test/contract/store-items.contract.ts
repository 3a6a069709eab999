import { describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { ensureTable, type ProviderRecord, type TokenRecord } from '../../lib/store';
import { IDEMPOTENCY_TTL_SECONDS } from '../../lib/store/claims';
import { keys } from '../../lib/store/keys';
import { expectCode, workspace, type StoreContext } from './store-fixtures';

const provider = (name: string, over: Partial<ProviderRecord> = {}): ProviderRecord => ({
  name, yaml: `name: ${name}\n`, optionValues: { DOCKER_HOST: '' }, version: 1,
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});

const token = (prefix: string, over: Partial<TokenRecord> = {}): TokenRecord => ({
  hash: `h-${prefix}-${ulid()}`, prefix, owner: 'alice', role: 'user', createdAt: '2026-01-01T00:00:00.000Z', ...over,
});

/** Table bootstrap, providers, claims, tokens and events: single-item behaviour a user relies on. */
export function itemCases(ctx: StoreContext): void {
  describe('table', () => {
    it('ensureTable makes the table with both indexes and is a no-op on an existing one', async () => {
      const store = await ctx.fresh();
      const d = await store.db.doc.send(new DescribeTableCommand({ TableName: store.db.table }));
      expect(d.Table?.TableStatus).toBe('ACTIVE');
      expect(d.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
      await store.providers.create(provider('kept'));
      await ensureTable(store.db);
      expect(await store.providers.get('kept')).toMatchObject({ name: 'kept' });
    });
  });

  describe('providers', () => {
    it('refuses a second provider of the same name and keeps the first', async () => {
      const { providers } = await ctx.fresh();
      await providers.create(provider('docker', { yaml: 'first' }));
      await expectCode(providers.create(provider('docker', { yaml: 'second' })), 'provider.conflict');
      expect(await providers.get('docker')).toEqual(provider('docker', { yaml: 'first' }));
    });

    it('lists by name, hides one being deleted, and keeps empty option values', async () => {
      const { providers } = await ctx.fresh();
      for (const n of ['kube', 'docker', 'aaa', 'zeta']) await providers.create(provider(n));
      await providers.replace(provider('zeta', { deleting: true, version: 2 }), 1);
      expect((await providers.list()).map((p) => p.name)).toEqual(['aaa', 'docker', 'kube']);
      expect((await providers.list())[0]!.optionValues).toEqual({ DOCKER_HOST: '' });
      await expectCode(providers.require('zeta'), 'provider.notFound');
    });

    it('replaces and removes only at the expected version', async () => {
      const { providers } = await ctx.fresh();
      await providers.create(provider('p'));
      await providers.replace(provider('p', { yaml: 'v2', version: 2 }), 1);
      await expectCode(providers.replace(provider('p', { yaml: 'stale', version: 2 }), 1), 'store.conflict');
      await expectCode(providers.replace(provider('ghost', { version: 2 }), 1), 'store.conflict');
      await expectCode(providers.remove('p', 1), 'store.conflict');
      expect(await providers.get('p')).toMatchObject({ yaml: 'v2', version: 2 });
      await providers.remove('p', 2);
      expect(await providers.get('p')).toBeUndefined();
      expect(await providers.list()).toEqual([]);
    });

    it('tracks which workspaces use a provider, apart from the provider item', async () => {
      const { providers } = await ctx.fresh();
      await providers.create(provider('p'));
      await providers.markUse('p', 'W1');
      await providers.markUse('p', 'W2');
      expect((await providers.uses('p')).map((u) => u.workspaceId)).toEqual(['W1', 'W2']);
      await providers.unmarkUse('p', 'W1');
      expect((await providers.uses('p')).map((u) => u.workspaceId)).toEqual(['W2']);
      expect((await providers.list()).map((p) => p.name)).toEqual(['p']);
    });
  });

  describe('claims', () => {
    it('a name goes to the first workspace; others get the holder back until it is released', async () => {
      const { names } = await ctx.fresh();
      const at = new Date().toISOString();
      expect(await names.take('alice', 'dev', { workspaceId: 'A', createdAt: at })).toBeUndefined();
      expect(await names.take('alice', 'dev', { workspaceId: 'B', createdAt: at })).toMatchObject({ workspaceId: 'A' });
      expect(await names.take('bob', 'dev', { workspaceId: 'C', createdAt: at })).toBeUndefined();
      await names.release('alice', 'dev', 'B');
      expect(await names.get('alice', 'dev')).toMatchObject({ workspaceId: 'A' });
      expect(await names.takeOver('alice', 'dev', 'B', { workspaceId: 'D', createdAt: at })).toBe(false);
      expect(await names.takeOver('alice', 'dev', 'A', { workspaceId: 'D', createdAt: at })).toBe(true);
      await names.release('alice', 'dev', 'D');
      expect(await names.get('alice', 'dev')).toBeUndefined();
      expect(await names.take('alice', 'dev', { workspaceId: 'E', createdAt: at })).toBeUndefined();
    });

    it('of concurrent claims on one name exactly one is taken, and every loser is told the winner', async () => {
      const { names } = await ctx.fresh();
      const at = new Date().toISOString();
      const ids = ['A', 'B', 'C', 'D', 'E'];
      const out = await Promise.all(ids.map((workspaceId) => names.take('alice', 'race', { workspaceId, createdAt: at })));
      const winners = ids.filter((_, i) => out[i] === undefined);
      expect(winners).toHaveLength(1);
      expect(out.filter(Boolean).map((c) => c!.workspaceId)).toEqual(Array(4).fill(winners[0]));
      expect((await names.get('alice', 'race'))?.workspaceId).toBe(winners[0]);
    });

    it('an idempotency key keeps its request fingerprint and expires after a day', async () => {
      const store = await ctx.fresh();
      const at = new Date().toISOString();
      expect(await store.idempotency.take('alice', 'key-1', { workspaceId: 'A', fingerprint: 'f1', createdAt: at })).toBeUndefined();
      expect(await store.idempotency.take('alice', 'key-1', { workspaceId: 'B', fingerprint: 'f2', createdAt: at }))
        .toEqual({ workspaceId: 'A', fingerprint: 'f1', createdAt: at });
      const raw = await store.db.doc.send(new GetCommand({ TableName: store.db.table, Key: keys.idempotency('alice', 'key-1') }));
      const now = Date.now() / 1000;
      expect(raw.Item?.expiresAt).toBeGreaterThan(now + IDEMPOTENCY_TTL_SECONDS - 60);
      expect(raw.Item?.expiresAt).toBeLessThan(now + IDEMPOTENCY_TTL_SECONDS + 60);
    });
  });

  describe('tokens', () => {
    it('stores a hash once, lists by prefix and forgets a removed token', async () => {
      const { tokens } = await ctx.fresh();
      const [b, a, c] = [token('wb_b'), token('wb_a'), token('wb_c', { role: 'admin', validUntil: '2027-01-01T00:00:00.000Z' })];
      for (const t of [b!, a!, c!]) expect(await tokens.put(t)).toBe(true);
      expect(await tokens.put({ ...a!, owner: 'mallory' })).toBe(false);
      expect(await tokens.get(a!.hash)).toEqual(a);
      expect((await tokens.list()).map((t) => t.prefix)).toEqual(['wb_a', 'wb_b', 'wb_c']);
      expect((await tokens.list('wb_c')).map((t) => t.hash)).toEqual([c!.hash]);
      expect(await tokens.remove(b!.hash)).toBe(true);
      expect(await tokens.remove(b!.hash)).toBe(false);
      expect(await tokens.get(b!.hash)).toBeUndefined();
      expect((await tokens.list()).map((t) => t.prefix)).toEqual(['wb_a', 'wb_c']);
    });

    it('records a use at most once per interval and never brings a revoked token back', async () => {
      const { tokens } = await ctx.fresh();
      const t = token('wb_t');
      await tokens.put(t);
      await tokens.touch(t, '2026-05-01T10:00:00.000Z', '2026-05-01T09:59:00.000Z');
      await tokens.touch(t, '2026-05-01T10:00:30.000Z', '2026-05-01T09:59:30.000Z');
      expect((await tokens.get(t.hash))?.lastUsedAt).toBe('2026-05-01T10:00:00.000Z');
      await tokens.touch(t, '2026-05-01T10:02:00.000Z', '2026-05-01T10:01:00.000Z');
      expect((await tokens.get(t.hash))?.lastUsedAt).toBe('2026-05-01T10:02:00.000Z');
      await tokens.remove(t.hash);
      await tokens.touch(t, '2026-05-01T11:00:00.000Z', '2026-05-01T10:59:00.000Z');
      expect(await tokens.get(t.hash)).toBeUndefined();
    });
  });

  describe('events', () => {
    it('lists a workspace\'s events in append order, pages with after=, and never returns other items', async () => {
      const store = await ctx.fresh();
      const ws = workspace();
      await store.workspaces.create(ws);
      const other = workspace();
      const appended = [];
      for (let i = 0; i < 6; i++) {
        appended.push(await store.events.append({ workspaceId: ws.id, type: 'workspace.step', message: `step ${i}`, data: { i } }));
        await store.events.append({ workspaceId: other.id, type: 'workspace.step', message: `other ${i}` });
      }
      const all = await store.events.list(ws.id, { limit: 100 });
      expect(all.map((e) => e.message)).toEqual(appended.map((e) => e.message));
      expect(all[2]).toEqual(appended[2]);
      const first = await store.events.list(ws.id, { limit: 2 });
      expect(first.map((e) => e.message)).toEqual(['step 0', 'step 1']);
      const next = await store.events.list(ws.id, { limit: 3, after: first[1]!.id });
      expect(next.map((e) => e.message)).toEqual(['step 2', 'step 3', 'step 4']);
      const rest = await store.events.list(ws.id, { limit: 10, after: next[2]!.id });
      expect(rest.map((e) => e.message)).toEqual(['step 5']);
      expect(await store.events.list(ws.id, { limit: 10, after: rest[0]!.id })).toEqual([]);
    });
  });
}
