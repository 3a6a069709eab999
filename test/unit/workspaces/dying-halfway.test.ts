import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../lib/store';
import { ProviderService } from '../../../lib/providers';
import { Reconciler, WorkspaceService } from '../../../lib/workspaces';
import { memoryServices, type MemoryServices } from '../../support/memory-services';

let m: MemoryServices;

beforeEach(async () => {
  m = await memoryServices();
});
afterEach(async () => {
  await m.close();
});

/** The same store, except that one write fails the way a process dying at that point would leave it. */
function dyingAt(point: 'beforeRemoval' | 'afterRemoval'): Store {
  const workspaces = Object.create(m.store.workspaces) as Store['workspaces'];
  workspaces.remove = async (ws) => {
    if (point === 'afterRemoval') await m.store.workspaces.remove(ws);
    throw new Error(`process died ${point === 'afterRemoval' ? 'after' : 'before'} the removal`);
  };
  return { ...m.store, workspaces };
}

/**
 * The same store, except that the process "dies" when it comes to write the event `type`: that
 * write and every store call after it never return, as for a process killed there (no error path runs).
 */
function dyingBeforeEvent(type: string): Store {
  let dead = false;
  const never = () => new Promise<never>(() => undefined);
  const events = Object.create(m.store.events) as Store['events'];
  const outbox = Object.create(m.store.outbox) as Store['outbox'];
  const workspaces = Object.create(m.store.workspaces) as Store['workspaces'];
  events.append = async (e) => { if (dead || e.type === type) { dead = true; return never(); } return m.store.events.append(e); };
  outbox.put = async (o) => { if (dead || o.type === type) { dead = true; return never(); } return m.store.outbox.put(o); };
  workspaces.update = async (prev, next) => (dead ? never() : m.store.workspaces.update(prev, next));
  return { ...m.store, events, outbox, workspaces };
}
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) { const v = await read(); if (ok(v)) return v; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error('never reached');
}
const logged = async (id: string, type: string) => (await m.store.events.list(id, { limit: 500 })).filter((e) => e.type === type);
const queued = async (id: string, type: string) => (await m.store.outbox.pending(500)).filter((o) => o.workspaceId === id && o.type === type);

async function running(name: string): Promise<string> {
  const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name, source: { image: 'example/busybox:1' } });
  await m.reconciler.reconcile(workspace.id);
  expect((await m.store.workspaces.get(workspace.id))!.status).toBe('Running');
  return workspace.id;
}

async function deleting(name: string) {
  const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name, source: { image: 'example/busybox:1' } });
  await m.reconciler.reconcile(workspace.id);
  await m.workspaces.setDesired(m.user, workspace.id, 'Deleted');
  return (await m.store.workspaces.get(workspace.id))!;
}
const deletedOutgoing = async (id: string) => (await m.store.outbox.pending(500)).filter((o) => o.workspaceId === id && o.type === 'workspace.deleted');

describe('a delete interrupted halfway loses nothing and sends nothing twice', () => {
  it('dying right after the record is removed still leaves the workspace.deleted delivery queued', async () => {
    const ws = await deleting('dies-after');
    const dying = new WorkspaceService(dyingAt('afterRemoval'), new ProviderService(m.store));
    await expect(dying.finalizeDelete(ws, 'reconciler')).rejects.toThrow(/died after the removal/);
    expect(await m.store.workspaces.get(ws.id)).toBeUndefined();
    const queued = await deletedOutgoing(ws.id);
    expect(queued).toHaveLength(1);
    expect(JSON.parse(queued[0]!.body)).toMatchObject({ type: 'workspace.deleted', data: { workspace: { id: ws.id, status: 'Deleted' }, deleteReason: 'user' } });
  });

  it('dying before the removal, then resumed by the reconciler: one workspace.deleted, the same id in the log and the outbox', async () => {
    const ws = await deleting('dies-before');
    const dying = new WorkspaceService(dyingAt('beforeRemoval'), new ProviderService(m.store));
    await expect(dying.finalizeDelete(ws, 'reconciler')).rejects.toThrow(/died before the removal/);
    expect(await m.store.workspaces.get(ws.id)).toBeDefined();
    await m.reconciler.reconcile(ws.id);
    expect(await m.store.workspaces.get(ws.id)).toBeUndefined();
    const logged = (await m.store.events.list(ws.id, { limit: 500 })).filter((e) => e.type === 'workspace.deleted');
    const queued = await deletedOutgoing(ws.id);
    expect(logged).toHaveLength(1);
    expect(queued.map((o) => o.eventId)).toEqual([logged[0]!.id]);
  });
});

describe('an event whose state change was written survives the writer dying before it', () => {
  it('a stop request: the next reconcile pass writes workspace.stopRequested once, under the id it took, and the record keeps no pending event', async () => {
    const id = await running('stop-dies');
    const dying = new WorkspaceService(dyingBeforeEvent('workspace.stopRequested'), new ProviderService(m.store));
    void dying.setDesired(m.user, id, 'Stopped');
    const left = (await until(() => m.store.workspaces.get(id), (w) => w?.desiredState === 'Stopped'))!;
    expect(left.desiredState).toBe('Stopped');
    expect(left.pendingEvents?.map((e) => e.type)).toEqual(['workspace.stopRequested']);
    expect(await logged(id, 'workspace.stopRequested')).toEqual([]);
    await m.reconciler.reconcile(id);
    const after = (await m.store.workspaces.get(id))!;
    expect(after.status).toBe('Stopped');
    expect(after.pendingEvents).toBeUndefined();
    expect((await logged(id, 'workspace.stopRequested')).map((e) => e.id)).toEqual([left.pendingEvents![0]!.id]);
    expect((await logged(id, 'workspace.stopped'))).toHaveLength(1);
  });

  it('a reconcile pass dying after it saved Running: the next pass writes workspace.running once', async () => {
    const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name: 'run-dies', source: { image: 'example/busybox:1' } });
    const store = dyingBeforeEvent('workspace.running');
    const dyingService = new WorkspaceService(store, new ProviderService(m.store));
    const dying = new Reconciler(store, dyingService, async () => m.engine.driver(), 'dying', 10, () => undefined);
    void dying.reconcile(workspace.id);
    const left = (await until(() => m.store.workspaces.get(workspace.id), (w) => w?.status === 'Running'))!;
    expect(left.pendingEvents?.map((e) => e.type)).toContain('workspace.running');
    expect(await logged(workspace.id, 'workspace.running')).toEqual([]);
    await m.reconciler.reconcile(workspace.id, { ignoreLease: true });
    expect(await logged(workspace.id, 'workspace.running')).toHaveLength(1);
    expect(await queued(workspace.id, 'workspace.running')).toHaveLength(1);
    expect((await m.store.workspaces.get(workspace.id))!.pendingEvents).toBeUndefined();
  });

  it('an ordinary life leaves no pending event at rest: create, run, stop, start', async () => {
    const id = await running('tidy');
    expect((await m.store.workspaces.get(id))!.pendingEvents).toBeUndefined();
    await m.workspaces.setDesired(m.user, id, 'Stopped');
    await m.reconciler.reconcile(id);
    await m.workspaces.setDesired(m.user, id, 'Running');
    await m.reconciler.reconcile(id);
    const ws = (await m.store.workspaces.get(id))!;
    expect(ws.status).toBe('Running');
    expect(ws.pendingEvents).toBeUndefined();
    const types = (await m.store.events.list(id, { limit: 500 })).map((e) => e.type).filter((t) => t !== 'workspace.progress');
    expect(types.filter((t) => t === 'workspace.running')).toHaveLength(2);
    expect(new Set((await m.store.events.list(id, { limit: 500 })).map((e) => e.id)).size).toBe((await m.store.events.list(id, { limit: 500 })).length);
  });
});
