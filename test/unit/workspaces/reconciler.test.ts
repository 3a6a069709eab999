import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Leases } from '../../../lib/workspaces/lease';
import { driftOf } from '../../../lib/workspaces/drift';
import { memoryServices, type MemoryServices } from '../../support/memory-services';

let m: MemoryServices;
const IMAGE = 'example/busybox:1';

async function running(name: string): Promise<string> {
  const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name, source: { image: IMAGE } });
  await m.reconciler.reconcile(workspace.id);
  expect((await m.store.workspaces.get(workspace.id))!.status).toBe('Running');
  return workspace.id;
}
const types = async (id: string) => (await m.store.events.list(id, { limit: 500 })).map((e) => e.type);

beforeEach(async () => {
  m = await memoryServices();
});
afterEach(async () => {
  vi.useRealTimers();
  await m.close();
});

describe('leases', () => {
  it('a live lease excludes a second worker of the same process, and a lost lease stops its holder', async () => {
    const id = await running('leased');
    const leases = new Leases(m.store, m.workspaces, 'same-process');
    const first = await leases.acquire((await m.store.workspaces.get(id))!, false);
    expect(first).toBeDefined();
    expect(await leases.acquire((await m.store.workspaces.get(id))!, false)).toBeUndefined();
    const takeover = await leases.acquire((await m.store.workspaces.get(id))!, true);
    await expect(first!.save({ statusReason: 'stale' })).rejects.toMatchObject({ code: 'lease.lost' });
    expect((await takeover!.save({ statusReason: 'fresh' })).statusReason).toBe('fresh');
  });
});

describe('reconciler: observe every pass', () => {
  it('creates, and a container stopped outside is started again with an event saying why', async () => {
    const id = await running('drifty');
    m.engine.stopOutside(id, 1);
    await m.reconciler.reconcile(id);
    expect((await m.store.workspaces.get(id))!.status).toBe('Running');
    expect(m.engine.containers.get(id)!.running).toBe(true);
    expect(await types(id)).toContain('workspace.drifted');
  });

  it('a container that keeps dying ends in Error with its exit code and last log line, not a restart storm', async () => {
    const id = await running('crashy');
    for (let i = 0; i < 4; i++) {
      m.engine.stopOutside(id, 3, `boom ${i}`);
      await m.reconciler.reconcile(id);
    }
    const ws = (await m.store.workspaces.get(id))!;
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/exit code 3.*boom 3/s);
    expect(m.engine.verbs(id).filter((v) => v === 'start')).toHaveLength(3);
    expect(m.logs).toEqual([]);
  });

  it('restarts far apart (fake clock) never add up to a crash loop', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const id = await running('rare');
    for (let i = 0; i < 6; i++) {
      vi.setSystemTime(Date.now() + 11 * 60_000);
      m.engine.stopOutside(id, 1);
      await m.reconciler.reconcile(id);
      expect((await m.store.workspaces.get(id))!.status).toBe('Running');
    }
  });

  it('a missing container is created again; a stopped workspace found running is stopped', async () => {
    const id = await running('gone');
    m.engine.remove(id);
    await m.reconciler.reconcile(id);
    expect(m.engine.containers.get(id)?.running).toBe(true);
    await m.workspaces.setDesired(m.user, id, 'Stopped');
    await m.reconciler.reconcile(id);
    m.engine.startOutside(id);
    expect(driftOf((await m.store.workspaces.get(id))!, await m.engine.driver().find({ id } as never))).toEqual({ kind: 'running' });
    const resync = await m.resyncer.run();
    expect(resync).toMatchObject({ drifted: 1, failed: 0 });
    expect(m.engine.containers.get(id)!.running).toBe(false);
  });

  it('a failure is logged once as JSON with workspace, provider, step and cause, and retried then Error', async () => {
    const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name: 'offline', source: { image: IMAGE } });
    m.engine.unreachable = true;
    vi.useFakeTimers({ toFake: ['Date'] });
    for (let i = 0; i < 6; i++) {
      await m.reconciler.reconcile(workspace.id, { ignoreLease: true });
      vi.setSystemTime(Date.now() + 120_000);
    }
    const ws = (await m.store.workspaces.get(workspace.id))!;
    expect(ws.status).toBe('Error');
    expect(m.logs.length).toBeGreaterThanOrEqual(5);
    expect(m.logs[0]).toMatchObject({ msg: 'reconcile failed', workspaceId: workspace.id, provider: 'mem', code: 'driver.unreachable', retrying: true });
    expect(m.logs.at(-1)).toMatchObject({ level: 'error', retrying: false });
  });
});

describe('sweeper: decides, never stops', () => {
  it('records desired Stopped with stopReason inactivity once across concurrent sweeps; the reconciler stops', async () => {
    const id = await running('idle');
    const later = new Date(Date.now() + 3600_000);
    const results = await Promise.all(Array.from({ length: 6 }, () => m.sweeper.sweep({ now: later })));
    expect(results.reduce((n, r) => n + r.stopped, 0)).toBe(1);
    expect(m.engine.verbs(id).filter((v) => v !== 'lastActivity' && v !== 'find' && v !== 'create')).toEqual([]);
    expect(await m.store.workspaces.get(id)).toMatchObject({ desiredState: 'Stopped', stopReason: 'inactivity', status: 'Running' });
    await m.reconciler.reconcile(id);
    expect(await m.store.workspaces.get(id)).toMatchObject({ status: 'Stopped', stopReason: 'inactivity' });
    expect(m.engine.verbs(id)).toContain('stop');
    expect((await types(id)).filter((t) => t === 'workspace.stopped')).toHaveLength(1);
  });

  it('activity inside the container moves the deadline instead', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const id = await running('busy');
    vi.setSystemTime(Date.now() + 50_000);
    m.engine.containers.get(id)!.activity = new Date();
    vi.setSystemTime(Date.now() + 20_000);
    const r = await m.sweeper.sweep();
    expect(r).toMatchObject({ extended: 1, stopped: 0 });
    expect(await m.store.workspaces.get(id)).toMatchObject({ desiredState: 'Running', lastActivitySource: 'container' });
  });
});
