import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProviderService } from '../../../lib/providers';
import { setKeep, Sweeper } from '../../../lib/workspaces';
import { memoryServices, type MemoryServices } from '../../support/memory-services';

let m: MemoryServices;
const IMAGE = 'example/busybox:1';
const H = 3600_000;
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms);
const get = async (id: string) => (await m.store.workspaces.get(id))!;
const events = (id: string) => m.store.events.list(id, { limit: 500 });

async function running(provider: string, name: string): Promise<string> {
  const { workspace } = await m.workspaces.create(m.user, { provider, name, source: { image: IMAGE } });
  await m.reconciler.reconcile(workspace.id);
  expect((await get(workspace.id)).status).toBe('Running');
  return workspace.id;
}

async function stopped(provider: string, name: string): Promise<string> {
  const id = await running(provider, name);
  await m.workspaces.setDesired(m.user, id, 'Stopped');
  await m.reconciler.reconcile(id);
  expect((await get(id)).status).toBe('Stopped');
  return id;
}

beforeEach(async () => {
  m = await memoryServices();
  const providers = new ProviderService(m.store);
  await providers.add('name: retain\ncontainerInactivityTimeout: 0\nworkbay:\n  lifecycle:\n    retention: 1h\n    retentionWarning: 10m\n    keep: owners\n');
  await providers.add('name: life\ncontainerInactivityTimeout: 0\nworkbay:\n  lifecycle:\n    maxLifetime: 1h\n');
});
afterEach(async () => {
  await m.close();
});

describe('retention sweep', () => {
  it('reads nothing until a warning is due, warns once, reads nothing again until the deadline, then records the delete', async () => {
    const id = await stopped('retain', 'old');
    const since = (await get(id)).stoppedAt!;
    expect(await m.sweeper.sweep({ now: plus(since, 0.5 * H) })).toMatchObject({ read: 0, warned: 0, deleted: 0 });
    expect(await m.sweeper.sweep({ now: plus(since, 0.9 * H) })).toMatchObject({ read: 1, warned: 1, deleted: 0 });
    expect(await m.sweeper.sweep({ now: plus(since, 0.95 * H) })).toMatchObject({ read: 0, warned: 0, deleted: 0 });
    expect(await m.sweeper.sweep({ now: plus(since, 1.01 * H) })).toMatchObject({ read: 1, warned: 0, deleted: 1 });
    expect(await get(id)).toMatchObject({ desiredState: 'Deleted', status: 'Deleting', deleteReason: 'retention' });
    // The sweeper only recorded it: no kick is wired here, as if the process died right after the write.
    expect(m.engine.containers.has(id)).toBe(true);
    expect(await m.reconciler.redrive()).toBe(1);
    expect(await m.store.workspaces.get(id)).toBeUndefined();
    expect(m.engine.containers.has(id)).toBe(false);
    const ev = await events(id);
    expect(ev.filter((e) => e.type === 'workspace.retention-warning')).toHaveLength(1);
    expect(ev.find((e) => e.type === 'workspace.deleted')!.data).toMatchObject({ deleteReason: 'retention' });
  });

  it('eight overlapping sweeps record one warning and one delete', async () => {
    const id = await stopped('retain', 'raced');
    const now = plus((await get(id)).stoppedAt!, 2 * H);
    const sweepers = Array.from({ length: 8 }, () => new Sweeper(m.store, m.workspaces, async () => m.engine.driver()));
    const results = await Promise.all(sweepers.map((s) => s.sweep({ now })));
    expect(results.reduce((n, r) => n + r.deleted, 0)).toBe(1);
    expect((await events(id)).filter((e) => e.type === 'workspace.retention-warning')).toHaveLength(1);
    expect((await events(id)).filter((e) => e.type === 'workspace.deleteRequested')).toHaveLength(1);
  });

  it('a kept workspace is never read by the retention sweep; a start voids a warned delete', async () => {
    const kept = await stopped('retain', 'kept');
    await setKeep(m.store, m.workspaces, m.user, kept, true);
    const started = await stopped('retain', 'started');
    const since = (await get(started)).stoppedAt!;
    expect(await m.sweeper.sweep({ now: plus(since, 0.95 * H) })).toMatchObject({ read: 1, warned: 1 });
    await m.workspaces.setDesired(m.user, started, 'Running');
    expect(await m.sweeper.sweep({ now: plus(since, 10 * H) })).toMatchObject({ read: 0, deleted: 0 });
    expect((await get(kept)).status).toBe('Stopped');
    expect((await get(started)).desiredState).toBe('Running');
  });

  it('the drift resync still observes stopped workspaces under retention', async () => {
    const id = await stopped('retain', 'drifty');
    m.engine.startOutside(id);
    expect(await m.resyncer.run()).toMatchObject({ observed: 1, drifted: 1 });
    expect(m.engine.containers.get(id)!.running).toBe(false);
  });
});

describe('maximum lifetime', () => {
  it('records desired Stopped with stopReason maxLifetime past startedAt + maxLifetime, without reading activity', async () => {
    const id = await running('life', 'long');
    const startedAt = (await get(id)).startedAt!;
    expect(await m.sweeper.sweep({ now: plus(startedAt, 0.5 * H) })).toMatchObject({ read: 0, stopped: 0 });
    const before = m.engine.verbs(id).length;
    expect(await m.sweeper.sweep({ now: plus(startedAt, 1.01 * H) })).toMatchObject({ read: 1, stopped: 1 });
    expect(m.engine.verbs(id).slice(before)).toEqual([]);
    expect(await get(id)).toMatchObject({ desiredState: 'Stopped', stopReason: 'maxLifetime' });
    await m.reconciler.reconcile(id);
    expect((await get(id)).status).toBe('Stopped');
    expect((await events(id)).find((e) => e.type === 'workspace.stopped')!.data).toMatchObject({ stopReason: 'maxLifetime' });
  });

  it('the lifecycle sweep holds no driver: the reconciler stops and deletes', () => {
    const src = readFileSync(new URL('../../../lib/workspaces/lifecycle-sweep.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/driverFor|driverWorkspace|\bdriver\??\.|from '\.\/drivers'/);
  });
});
