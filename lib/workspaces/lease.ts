import { isWorkbayError, WorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import type { WorkspaceService } from './service';

/** A lease is short and renewed while work runs, so a killed worker's workspace is picked up quickly. */
export const LEASE_MS = 30_000;
export const RENEW_MS = 10_000;

/** Fields a worker may change on a workspace it holds. */
export type Patch = Partial<Omit<WorkspaceRecord, 'id' | 'version'>>;

/**
 * Leases on workspaces (DESIGN §2): one worker (reconciler or sweeper) acts on a workspace at a time.
 * Taking a lease is a conditional write on `version`, so of two workers only one wins.
 */
export class Leases {
  constructor(
    private readonly store: Store,
    private readonly workspaces: WorkspaceService,
    readonly workerId: string,
    /** Who the events written through `save` name as their actor. */
    private readonly actor: 'reconciler' | 'sweeper' = 'reconciler',
  ) {}

  /** Takes the lease unless another worker holds a live one; undefined when it lost the race. */
  async acquire(ws: WorkspaceRecord, ignoreLease: boolean): Promise<WorkspaceRecord | undefined> {
    const held = ws.leaseOwner && ws.leaseOwner !== this.workerId && ws.leaseUntil && Date.parse(ws.leaseUntil) > Date.now();
    if (held && !ignoreLease) return undefined;
    try {
      return await this.store.workspaces.update(ws, { ...ws, leaseOwner: this.workerId, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() });
    } catch (err) {
      if (isWorkbayError(err, 'store.conflict')) return undefined;
      throw err;
    }
  }

  /** Extends a held lease while long work runs. */
  async renew(lease: { current: WorkspaceRecord }): Promise<void> {
    const cur = await this.store.workspaces.get(lease.current.id).catch(() => undefined);
    if (!cur || cur.leaseOwner !== this.workerId) return;
    lease.current = await this.store.workspaces.update(cur, { ...cur, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() }).catch(() => lease.current);
  }

  /** Gives the lease up (a retry backoff keeps its leaseUntil). */
  async release(id: string): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const cur = await this.store.workspaces.get(id).catch(() => undefined);
      if (!cur || cur.leaseOwner !== this.workerId) return;
      try {
        // A retry backoff keeps its leaseUntil so re-drive waits for it; otherwise the lease is cleared.
        await this.store.workspaces.update(cur, { ...cur, leaseOwner: undefined, leaseUntil: cur.attempts ? cur.leaseUntil : undefined });
        return;
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict')) return;
      }
    }
  }

  /** Writes a patch to the latest record; a concurrent API change is merged by re-reading (level-based). */
  async save(ws: WorkspaceRecord, patch: Patch, event?: { type: string; message: string; data?: Record<string, unknown> }): Promise<WorkspaceRecord> {
    let cur = ws;
    for (let i = 0; ; i++) {
      try {
        const next = await this.store.workspaces.update(cur, { ...cur, ...patch });
        this.workspaces.changes.notify(next.id);
        if (event) await this.workspaces.event(next, event.type, event.message, this.actor, event.data);
        return next;
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict') || i >= 4) throw err;
        const fresh = await this.store.workspaces.get(ws.id);
        if (!fresh) throw new WorkbayError('workspace.notFound', `workspace ${ws.id} vanished`);
        cur = fresh;
        if (patch.status && fresh.desiredState !== ws.desiredState) return fresh;
      }
    }
  }
}
