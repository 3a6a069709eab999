import { isWorkbayError, WorkbayError } from '../errors';
import type { Driver, Observed, ProgressEvent } from '../drivers';
import type { Store, WorkspaceRecord, WorkspaceStatus } from '../store';
import { driverWorkspace, type DriverFor } from './drivers';
import type { WorkspaceService } from './service';

/** A lease is short and renewed while work runs, so a killed worker's workspace is picked up quickly. */
const LEASE_MS = 30_000;
const RENEW_MS = 10_000;
const MAX_ATTEMPTS = 5;
/** Progress events kept per reconcile (a chatty build must not flood the table). */
const MAX_PROGRESS_EVENTS = 200;

/** Failures worth retrying later: the engine or the store was unreachable, not wrong. */
const RETRYABLE = new Set(['driver.unreachable', 'store.unavailable']);
/** Failures of a create before the container existed: what was made is removed again. */
const CLEAN_ON_FAILURE = new Set(['driver.imageUnavailable', 'driver.buildFailed', 'driver.sourceFailed', 'config.invalid']);

type Patch = Partial<Omit<WorkspaceRecord, 'id' | 'version'>>;

/**
 * Level-based reconciler (DESIGN §2): compares desired with observed state and takes one idempotent
 * step at a time under a lease, so one worker acts on a workspace at a time and a worker that dies
 * halfway leaves work the next trigger finishes.
 */
export class Reconciler {
  constructor(
    private readonly store: Store,
    private readonly workspaces: WorkspaceService,
    private readonly driverFor: DriverFor,
    private readonly workerId: string,
    /** First retry delay; doubles per attempt (tests shorten it). */
    private readonly retryBaseMs = 1_000,
  ) {}

  /** Drives one workspace until it settles, fails, or another worker holds it. */
  async reconcile(id: string, opts: { ignoreLease?: boolean } = {}): Promise<void> {
    let ws = await this.store.workspaces.get(id);
    if (!ws) return;
    ws = await this.acquire(ws, opts.ignoreLease ?? false);
    if (!ws) return;
    const lease = { current: ws };
    const renew = setInterval(() => void this.renew(lease), RENEW_MS);
    try {
      for (let i = 0; i < 10; i++) {
        const next = await this.stepSafely(lease.current);
        if (next === 'done') break;
        lease.current = next;
      }
    } finally {
      clearInterval(renew);
      await this.release(lease.current.id);
    }
  }

  private async acquire(ws: WorkspaceRecord, ignoreLease: boolean): Promise<WorkspaceRecord | undefined> {
    const held = ws.leaseOwner && ws.leaseOwner !== this.workerId && ws.leaseUntil && Date.parse(ws.leaseUntil) > Date.now();
    if (held && !ignoreLease) return undefined;
    try {
      return await this.store.workspaces.update(ws, { ...ws, leaseOwner: this.workerId, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() });
    } catch (err) {
      if (isWorkbayError(err, 'store.conflict')) return undefined;
      throw err;
    }
  }

  private async renew(lease: { current: WorkspaceRecord }): Promise<void> {
    const cur = await this.store.workspaces.get(lease.current.id).catch(() => undefined);
    if (!cur || cur.leaseOwner !== this.workerId) return;
    lease.current = await this.store.workspaces.update(cur, { ...cur, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() }).catch(() => lease.current);
  }

  private async release(id: string): Promise<void> {
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
  private async save(ws: WorkspaceRecord, patch: Patch, event?: { type: string; message: string; data?: Record<string, unknown> }): Promise<WorkspaceRecord> {
    let cur = ws;
    for (let i = 0; ; i++) {
      try {
        const next = await this.store.workspaces.update(cur, { ...cur, ...patch });
        this.workspaces.changes.notify(next.id);
        if (event) await this.workspaces.event(next, event.type, event.message, 'reconciler', event.data);
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

  private progress(ws: WorkspaceRecord) {
    let n = 0;
    return (e: ProgressEvent) => {
      if (n++ >= MAX_PROGRESS_EVENTS) return;
      void this.workspaces.event(ws, 'workspace.progress', e.message, 'reconciler', { step: e.step }).catch(() => undefined);
    };
  }

  private async stepSafely(ws: WorkspaceRecord): Promise<WorkspaceRecord | 'done'> {
    let driver: Driver | undefined;
    try {
      driver = await this.driverFor(ws);
      return await this.step(ws, driver);
    } catch (err) {
      return this.fail(ws, err, driver);
    } finally {
      await driver?.close?.();
    }
  }

  private running(ws: WorkspaceRecord, obs: Observed): Patch {
    const now = new Date();
    return {
      status: 'Running', statusReason: undefined, stopReason: undefined, attempts: 0, driverRef: obs.ref,
      lastActivityAt: now.toISOString(), lastActivitySource: 'start',
      idleDeadline: ws.inactivityTimeoutSeconds > 0 ? new Date(now.getTime() + ws.inactivityTimeoutSeconds * 1000).toISOString() : undefined,
    };
  }

  private enter(ws: WorkspaceRecord, status: WorkspaceStatus): Promise<WorkspaceRecord> {
    return this.save(ws, { status, statusReason: undefined }, { type: `workspace.${status.toLowerCase()}`, message: `${status.toLowerCase()} workspace ${ws.name}` });
  }

  /** One step towards the desired state; 'done' when there is nothing left to do now. */
  private async step(ws: WorkspaceRecord, d: Driver): Promise<WorkspaceRecord | 'done'> {
    const dws = driverWorkspace(ws);
    if (ws.desiredState === 'Deleted') {
      if (ws.status !== 'Deleting') return this.enter(ws, 'Deleting');
      await d.delete(dws);
      await this.workspaces.finalizeDelete(ws, 'reconciler');
      return 'done';
    }
    if (ws.desiredState === 'Running') {
      if (ws.status === 'Running' || ws.status === 'Error') return 'done';
      if (!ws.driverRef) {
        if (ws.status !== 'Creating') return this.enter(ws, 'Creating');
        const obs = await d.create(dws, this.progress(ws));
        return this.save(ws, this.running(ws, obs), { type: 'workspace.running', message: `workspace ${ws.name} is running` });
      }
      if (ws.status !== 'Starting') return this.enter(ws, 'Starting');
      const found = await d.find(dws);
      const obs = found ? await d.start(dws, this.progress(ws)) : await d.create(dws, this.progress(ws));
      return this.save(ws, this.running(ws, obs), { type: 'workspace.running', message: `workspace ${ws.name} is running` });
    }
    if (ws.status === 'Stopped' || ws.status === 'Error') return 'done';
    if (ws.status === 'Pending') return this.save(ws, { status: 'Stopped', stopReason: ws.stopReason ?? 'user' }, { type: 'workspace.stopped', message: 'stopped before it was created' });
    if (ws.status !== 'Stopping') return this.enter(ws, 'Stopping');
    await d.stop(dws);
    return this.save(ws, { status: 'Stopped', stopReason: ws.stopReason ?? 'user', idleDeadline: undefined }, {
      type: 'workspace.stopped', message: `workspace ${ws.name} stopped`, data: { stopReason: ws.stopReason ?? 'user' },
    });
  }

  /** Retryable failures back off and stay in the WORK shard; others become Error with the reason. */
  private async fail(ws: WorkspaceRecord, err: unknown, d: Driver | undefined): Promise<'done'> {
    const e = isWorkbayError(err) ? err : new WorkbayError('internal', (err as Error)?.message ?? String(err), { cause: err });
    const fresh = (await this.store.workspaces.get(ws.id).catch(() => undefined)) ?? ws;
    const attempts = (fresh.attempts ?? 0) + 1;
    if (RETRYABLE.has(e.code) && attempts < MAX_ATTEMPTS) {
      const backoff = Math.min(60_000, this.retryBaseMs * 2 ** attempts);
      await this.save(fresh, { attempts, statusReason: `${e.message}; retrying`, leaseUntil: new Date(Date.now() + backoff).toISOString() }, {
        type: 'workspace.retrying', message: e.message, data: { code: e.code, attempt: attempts },
      }).catch(() => undefined);
      return 'done';
    }
    if (d && CLEAN_ON_FAILURE.has(e.code) && !fresh.driverRef) await d.delete(driverWorkspace(fresh)).catch(() => undefined);
    await this.save(fresh, { status: 'Error', statusReason: e.message, attempts: 0, ...(fresh.desiredState === 'Stopped' ? { stopReason: 'error' as const } : {}) }, {
      type: 'workspace.error', message: e.message, data: { code: e.code },
    }).catch(() => undefined);
    return 'done';
  }

  /** Picks up every workspace with work to do whose lease expired (or all, right after an embedded restart). */
  async redrive(opts: { ignoreLeases?: boolean; concurrency?: number } = {}): Promise<number> {
    const due = (await this.store.workspaces.listWork()).filter((w) => opts.ignoreLeases || !w.leaseUntil || Date.parse(w.leaseUntil) <= Date.now());
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const ws = due[next++]!;
        await this.reconcile(ws.id, { ignoreLease: opts.ignoreLeases }).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 4, due.length) }, worker));
    return due.length;
  }
}
