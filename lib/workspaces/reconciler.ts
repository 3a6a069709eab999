import pMap from 'p-map';
import { isWorkbayError, WorkbayError } from '../errors';
import type { Driver, Observed, ProgressEvent } from '../drivers';
import type { Store, WorkspaceRecord, WorkspaceStatus } from '../store';
import { driverWorkspace, type DriverFor } from './drivers';
import { crashLooping, CRASH_WINDOW_MS, driftMessage, driftOf, MAX_DRIFT_RESTARTS, restartsInWindow, type Drift } from './drift';
import { Leases, RENEW_MS, type Lease, type Patch } from './lease';
import { countPass, passCount, type CountedPass } from './poison';
import { enteredEvent, entryOf, settled, stoppedEvent } from './reconciler-entry';
import { deleteOnStop } from './lifecycle-decision';
import type { WorkspaceService } from './service';
import { assertSourceAllowed } from './policy-check';

const MAX_ATTEMPTS = 5;
/** Progress events kept per reconcile (a chatty build must not flood the table). */
const MAX_PROGRESS_EVENTS = 200;

/** Failures worth retrying later: the engine or the store was unreachable, not wrong. */
const RETRYABLE = new Set(['driver.unreachable', 'store.unavailable']);
/** Failures caused by what the user asked for, not by workbay or the engine: logged as warnings. */
const USER_MISTAKES = new Set(['config.invalid', 'policy.denied', 'quota.exceeded', 'driver.imageUnavailable', 'driver.buildFailed', 'driver.lifecycleFailed', 'driver.sourceFailed']);
/** Failures of a create before the container existed: what was made is removed again. */
const CLEAN_ON_FAILURE = new Set(['driver.imageUnavailable', 'driver.buildFailed', 'driver.sourceFailed', 'config.invalid', 'policy.denied']);


/**
 * The driver of one pass, built at its first step and kept for the rest: the steps of a pass (enter
 * Creating, create, observe) act for one decision, so the provider is read and resolved once per pass.
 * A build that fails is not kept: the next step tries again.
 */
class PassDrivers {
  private driver?: Promise<Driver>;

  constructor(private readonly driverFor: DriverFor) {}

  get(ws: WorkspaceRecord): Promise<Driver> {
    const d = (this.driver ??= this.driverFor(ws));
    d.catch(() => { if (this.driver === d) this.driver = undefined; });
    return d;
  }

  async close(): Promise<void> {
    const d = await this.driver?.catch(() => undefined);
    this.driver = undefined;
    await d?.close?.();
  }
}

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
    workerId: string,
    /** First retry delay; doubles per attempt (tests shorten it). */
    private readonly retryBaseMs = 1_000,
    /** One JSON line per failure: workspace, provider, step and cause (messages never carry secrets). */
    private readonly log: (entry: Record<string, unknown>) => void = () => {},
  ) {
    this.leases = new Leases(store, workspaces, workerId);
  }

  private readonly leases: Leases;

  /** Workspaces this process is reconciling now, and whether another pass was asked for meanwhile. */
  private readonly inFlight = new Map<string, { again: boolean; done: Promise<void> }>();

  /**
   * Drives one workspace until it settles, fails, or another worker holds it. Within one process,
   * a second trigger for a workspace already being reconciled (a kick and a re-drive) does not run
   * beside the first: it asks the first for one more pass.
   */
  async reconcile(id: string, opts: { ignoreLease?: boolean } = {}): Promise<void> {
    const running = this.inFlight.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: true, done: Promise.resolve() };
    this.inFlight.set(id, state);
    state.done = (async () => {
      try {
        while (state.again) {
          state.again = false;
          await this.pass(id, opts);
        }
      } finally {
        this.inFlight.delete(id);
      }
    })();
    return state.done;
  }

  /** Waits (at most `ms`) until no reconcile of this process is running, for a clean shutdown. */
  async drain(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (this.inFlight.size && Date.now() < until) {
      await Promise.race([Promise.allSettled([...this.inFlight.values()].map((s) => s.done)), new Promise((r) => setTimeout(r, until - Date.now()))]);
    }
  }

  private async pass(id: string, opts: { ignoreLease?: boolean }): Promise<void> {
    const ws = await this.store.workspaces.get(id);
    if (!ws || !this.leases.free(ws, opts.ignoreLease ?? false)) return;
    // The lease's write also counts the pass (ADR 0007) and enters the status the first step would
    // enter before its driver call; the driver is built meanwhile (the provider is read once per pass).
    const count = passCount(ws);
    const entering = count && entryOf(ws);
    const drivers = new PassDrivers(this.driverFor);
    drivers.get(ws).catch(() => undefined);
    const lease = await this.leases.acquire(ws, opts.ignoreLease ?? false, { ...count, ...(entering ? { status: entering, statusReason: undefined } : {}) },
      entering ? enteredEvent(ws, entering) : undefined).catch(async (err: unknown) => {
      await drivers.close();
      throw err;
    });
    if (!lease) return drivers.close();
    const renew = setInterval(() => void lease.renew(), RENEW_MS);
    renew.unref();
    let counted: CountedPass | undefined;
    try {
      counted = await countPass(lease, this.workspaces, !!count);
      for (let i = 0; i < 10 && !counted.poisoned; i++) {
        if (await this.stepSafely(lease, drivers) === 'done') break;
      }
    } finally {
      clearInterval(renew);
      await drivers.close();
      // The end of a counted pass (countPass's finish) is written with the release: one write, not two.
      const ended = counted && !counted.poisoned && lease.current.unfinishedPasses !== undefined;
      await lease.release(ended ? { unfinishedPasses: undefined } : {});
    }
  }

  /**
   * Progress goes out as events without holding the work up, written one after another (and after
   * the event of the status entered ahead) so readers polling with `after=` never skip one.
   */
  private progress(ws: WorkspaceRecord, lease: Lease) {
    let n = 0;
    let chain: Promise<unknown> = lease.written();
    return (e: ProgressEvent) => {
      if (n++ >= MAX_PROGRESS_EVENTS) return;
      // Progress is best effort: a lost progress event must not fail the work it describes.
      chain = chain.then(() => this.workspaces.event(ws, 'workspace.progress', e.message, 'reconciler', { step: e.step })).catch(() => undefined);
    };
  }

  private async stepSafely(lease: Lease, drivers: PassDrivers): Promise<WorkspaceRecord | 'done'> {
    let driver: Driver | undefined;
    try {
      driver = await drivers.get(lease.current).catch(async (err) => {
        // A provider that no longer yields a driver must not keep a never-provisioned workspace from going.
        const ws = lease.current;
        if (ws.desiredState !== 'Deleted' || ws.driverRef) throw err;
        await this.workspaces.finalizeDelete(ws, 'reconciler', { driverUnavailable: true });
        return undefined;
      });
      if (!driver) return 'done';
      return await this.step(lease, driver);
    } catch (err) {
      // Another worker holds the workspace now: it decides, this one stops acting.
      if (isWorkbayError(err, 'lease.lost')) return 'done';
      return this.fail(lease, err, driver);
    }
  }

  private running(ws: WorkspaceRecord, obs: Observed): Patch {
    const now = new Date();
    return {
      status: 'Running', statusReason: undefined, stopReason: undefined, attempts: 0, unfinishedPasses: undefined, driverRef: obs.ref,
      lastActivityAt: now.toISOString(), lastActivitySource: 'start', startedAt: now.toISOString(), stoppedAt: undefined, retentionWarningFor: undefined, deleteReason: undefined,
      idleDeadline: ws.inactivityTimeoutSeconds > 0 ? new Date(now.getTime() + ws.inactivityTimeoutSeconds * 1000).toISOString() : undefined,
    };
  }

  /**
   * Records Running from what the driver observed at the end of a create or start. The pass ends
   * there when nothing changed meanwhile: observing it again at once would cost engine calls for
   * nothing (the re-drive, resync and sweep observe it later).
   */
  private async ran(lease: Lease, ws: WorkspaceRecord, obs: Observed): Promise<WorkspaceRecord | 'done'> {
    const rec = await lease.save(this.running(ws, obs), { type: 'workspace.running', message: `workspace ${ws.name} is running` });
    return rec.status === 'Running' && settled(rec) ? 'done' : rec;
  }

  /** Enters a status before a driver call; the call need not wait for the event (Lease.saveAhead). */
  private enter(lease: Lease, status: WorkspaceStatus): Promise<WorkspaceRecord> {
    return lease.saveAhead({ status, statusReason: undefined }, enteredEvent(lease.current, status));
  }

  /** One step towards the desired state; 'done' when there is nothing left to do now. */
  private async step(lease: Lease, d: Driver): Promise<WorkspaceRecord | 'done'> {
    const ws = lease.current;
    const dws = driverWorkspace(ws);
    const entering = entryOf(ws);
    if (entering) return this.enter(lease, entering);
    if (ws.desiredState === 'Deleted') {
      try {
        await d.delete(dws);
      } catch (err) {
        // Never provisioned and the engine is unreachable: nothing to wait for. Anything a half-done
        // create left there carries our labels, and the orphan collector removes it once reachable.
        if (ws.driverRef || !isWorkbayError(err, 'driver.unreachable')) throw err;
        await this.workspaces.finalizeDelete(ws, 'reconciler', { engineUnreachable: true });
        return 'done';
      }
      await this.workspaces.finalizeDelete(ws, 'reconciler');
      return 'done';
    }
    // Retention 0: a workspace stopped for any reason is wanted deleted, through the one delete path.
    if (deleteOnStop(ws)) {
      return lease.save({ desiredState: 'Deleted', status: 'Deleting', deleteReason: 'retention' },
        { type: 'workspace.deleteRequested', message: 'retention 0: deleting on stop', data: { deleteReason: 'retention' } }, deleteOnStop);
    }
    if (settled(ws)) return this.correct(lease, d, driftOf(ws, await d.find(dws)));
    if (ws.desiredState === 'Running') {
      if (ws.status === 'Error') return 'done';
      assertSourceAllowed(d.policy, ws);
      if (!ws.driverRef) {
        const obs = await d.create(dws, this.progress(ws, lease));
        return this.ran(lease, ws, obs);
      }
      const found = await d.find(dws);
      const obs = found ? await d.start(dws, this.progress(ws, lease)) : await d.create(dws, this.progress(ws, lease));
      return this.ran(lease, ws, obs);
    }
    if (ws.status === 'Stopped' || ws.status === 'Error') return 'done';
    if (ws.status === 'Pending') return lease.save({ status: 'Stopped', stopReason: ws.stopReason ?? 'user', stoppedAt: new Date().toISOString() }, { type: 'workspace.stopped', message: 'stopped before it was created' });
    await d.stop(dws);
    return lease.save({ status: 'Stopped', stopReason: ws.stopReason ?? 'user', idleDeadline: undefined, stoppedAt: new Date().toISOString() }, stoppedEvent(ws));
  }

  /** Acts on drift found by observing: start or recreate (bounded by the crash window), or stop. */
  private async correct(lease: Lease, d: Driver, drift: Drift): Promise<WorkspaceRecord | 'done'> {
    const ws = lease.current;
    if (drift.kind === 'none') return 'done';
    const data = { drift: drift.kind, ...(drift.kind === 'stopped' && drift.exitCode !== undefined ? { exitCode: drift.exitCode } : {}) };
    if (drift.kind === 'running') return lease.save({ status: 'Stopping' }, { type: 'workspace.drifted', message: driftMessage(drift), data });
    const now = new Date();
    if (crashLooping(ws, now)) {
      const tail = (await d.logs(driverWorkspace(ws), { tail: 10 }).catch(() => '')).trim().slice(-1000);
      const code = drift.kind === 'stopped' && drift.exitCode !== undefined ? ` with exit code ${drift.exitCode}` : '';
      const reason = `the container stopped${code} ${MAX_DRIFT_RESTARTS + 1} times within ${CRASH_WINDOW_MS / 60_000} minutes; not starting it again${tail ? `; last log lines: ${tail}` : ''}`;
      return lease.save({ status: 'Error', statusReason: reason, idleDeadline: undefined }, { type: 'workspace.error', message: reason, data: { code: 'driver.crashLoop', ...data } });
    }
    return lease.save({ status: 'Starting', driftRestarts: restartsInWindow(ws, now), lastDriftAt: now.toISOString(), idleDeadline: undefined },
      { type: 'workspace.drifted', message: driftMessage(drift), data });
  }

  /** Retryable failures back off and stay in the WORK shard; others become Error with the reason. */
  private async fail(lease: Lease, err: unknown, d: Driver | undefined): Promise<'done'> {
    const ws = lease.current;
    const e = isWorkbayError(err) ? err : new WorkbayError('internal', (err as Error)?.message ?? String(err), { cause: err });
    // An unreadable store: judge on the record in hand; the save below then fails and is logged.
    const fresh = (await this.store.workspaces.get(ws.id).catch(() => undefined)) ?? ws;
    if (!lease.holds(fresh)) return 'done';
    lease.current = fresh;
    const attempts = (fresh.attempts ?? 0) + 1;
    const retrying = RETRYABLE.has(e.code) && attempts < MAX_ATTEMPTS;
    this.log({
      level: retrying || USER_MISTAKES.has(e.code) ? 'warn' : 'error', msg: 'reconcile failed', workspaceId: ws.id, provider: ws.provider,
      step: `${ws.status}->${ws.desiredState}`, code: e.code, error: e.message, attempt: attempts, retrying,
    });
    // A failed write of the outcome is left to the next pass (the lease expires); it was just logged.
    const quiet = (err: unknown) => this.log({ level: 'warn', msg: 'recording a failure failed', workspaceId: ws.id, error: String(err) });
    if (retrying) {
      const backoff = Math.min(60_000, this.retryBaseMs * 2 ** attempts);
      await lease.save({ attempts, statusReason: `${e.message}; retrying`, leaseUntil: new Date(Date.now() + backoff).toISOString() }, {
        type: 'workspace.retrying', message: e.message, data: { code: e.code, attempt: attempts },
      }).catch(quiet);
      return 'done';
    }
    if (d && CLEAN_ON_FAILURE.has(e.code) && !fresh.driverRef) await d.delete(driverWorkspace(fresh)).catch(quiet);
    await lease.save({ status: 'Error', statusReason: e.message, attempts: 0, ...(fresh.desiredState === 'Stopped' ? { stopReason: 'error' as const } : {}) }, {
      type: 'workspace.error', message: e.message, data: { code: e.code },
    }).catch(quiet);
    return 'done';
  }

  /** Picks up every workspace with work to do whose lease expired (or all, right after an embedded restart). */
  async redrive(opts: { ignoreLeases?: boolean; concurrency?: number } = {}): Promise<number> {
    const due = (await this.store.workspaces.listWork()).filter((w) => opts.ignoreLeases || !w.leaseUntil || Date.parse(w.leaseUntil) <= Date.now());
    await pMap(due, (ws) => this.reconcile(ws.id, { ignoreLease: opts.ignoreLeases })
      .catch((err) => this.log({ level: 'error', msg: 're-drive failed', workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) })),
    { concurrency: opts.concurrency ?? 4 });
    return due.length;
  }
}
