import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../lib/store';
import { ProviderService } from '../../../lib/providers';
import { WorkspaceService } from '../../../lib/workspaces';
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
