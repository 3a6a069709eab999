import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Driver } from '../../../lib/drivers';
import type { WorkspaceRecord } from '../../../lib/store';
import { Reconciler } from '../../../lib/workspaces';
import { memoryServices, type MemoryServices } from '../../support/memory-services';

let m: MemoryServices;
let seen: WorkspaceRecord | undefined;
let reconciler: Reconciler;

beforeEach(async () => {
  m = await memoryServices();
  seen = undefined;
  // The in-memory engine's driver, with a create that first reads what the store holds at that moment.
  const driverFor = async (): Promise<Driver> => {
    const d = m.engine.driver();
    return {
      ...d,
      async create(ws, progress) {
        seen = await m.store.workspaces.get(ws.id);
        progress({ step: 'create', message: 'creating the container' });
        return d.create(ws, progress);
      },
    };
  };
  reconciler = new Reconciler(m.store, m.workspaces, driverFor, 'unit', 10, (e) => m.logs.push(e));
});
afterEach(async () => {
  await reconciler.drain(5_000);
  await m.close();
});

describe('a reconcile pass of a create (one write before the driver call)', () => {
  it('has Creating and the pass count stored before the driver creates; events read created, creating, progress, running', async () => {
    const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name: 'ahead', source: { image: 'example/busybox:1' } });
    await reconciler.reconcile(workspace.id);
    expect(seen).toMatchObject({ status: 'Creating', unfinishedPasses: 1 });
    expect(seen!.leaseOwner).toMatch(/^unit#/);
    const after = (await m.store.workspaces.get(workspace.id))!;
    expect(after).toMatchObject({ status: 'Running' });
    expect(after.unfinishedPasses).toBeUndefined();
    expect(after.leaseOwner).toBeUndefined();
    const events = (await m.store.events.list(workspace.id, { limit: 50 })).map((e) => `${e.type}${e.type === 'workspace.progress' ? `: ${e.message}` : ''}`);
    expect(events).toEqual(['workspace.created', 'workspace.creating', 'workspace.progress: creating the container', 'workspace.running']);
    // The driver observed it running at the end of the create: the pass does not ask the engine again.
    expect(m.engine.verbs(workspace.id)).toEqual(['create']);
  });

  it('a record already at the count limit is given up, and the driver is never called', async () => {
    const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name: 'poisoned', source: { image: 'example/busybox:1' } });
    const rec = (await m.store.workspaces.get(workspace.id))!;
    await m.store.workspaces.update(rec, { ...rec, unfinishedPasses: 3 });
    await reconciler.reconcile(workspace.id);
    expect(seen).toBeUndefined();
    const after = (await m.store.workspaces.get(workspace.id))!;
    expect(after.status).toBe('Error');
    expect(after.statusReason).toMatch(/stopped 3 times/);
  });

  it('a stop enters Stopping with its lease, then stops once', async () => {
    const { workspace } = await m.workspaces.create(m.user, { provider: 'mem', name: 'stopper', source: { image: 'example/busybox:1' } });
    await reconciler.reconcile(workspace.id);
    await m.workspaces.setDesired(m.user, workspace.id, 'Stopped');
    await reconciler.reconcile(workspace.id);
    expect((await m.store.workspaces.get(workspace.id))!.status).toBe('Stopped');
    const types = (await m.store.events.list(workspace.id, { limit: 50 })).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['workspace.stopRequested', 'workspace.stopping', 'workspace.stopped']);
    expect(m.engine.verbs(workspace.id).filter((v) => v === 'stop')).toHaveLength(1);
  });
});
