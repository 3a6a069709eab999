import { ulid } from 'ulid';
import { isWorkbayError, WorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import type { PendingEvent } from './model';
import { pendingAfter, pendingEvent } from './pending-events';
import type { WorkspaceService } from './service';

/** A lease is short and renewed while work runs, so a killed worker's workspace is picked up quickly. */
export const LEASE_MS = 30_000;
export const RENEW_MS = 10_000;

/** Fields a worker may change on a workspace it holds. */
export type Patch = Partial<Omit<WorkspaceRecord, 'id' | 'version' | 'leaseOwner'>>;

/** An event written with a save, once the write has landed. */
export interface SaveEvent { type: string; message: string; data?: Record<string, unknown> }

/**
 * One held lease on one workspace: the unit of work, not the process, holds it. Its token is
 * written to `leaseOwner`; only this object may renew, save under or release it (ADR 0004).
 */
export class Lease {
  /** The latest record this holder has written or read. */
  current: WorkspaceRecord;
  /** The event written ahead (saveAhead), until the next save or release waits for it. */
  private pending?: Promise<void>;
  /** Ids of the record's pending events this holder knows are written: its next write drops them. */
  private readonly landed = new Set<string>();

  constructor(private readonly leases: Leases, readonly token: string, record: WorkspaceRecord) {
    this.current = record;
  }

  /** True while the stored record still names this holder. */
  holds(ws: WorkspaceRecord | undefined): boolean {
    return !!ws && ws.leaseOwner === this.token;
  }

  /** Extends the lease while long work runs; a lost lease is left alone. */
  async renew(): Promise<void> {
    // A failed read or write here is retried at the next tick; the holder's own save notices a loss.
    const cur = await this.leases.store.workspaces.get(this.current.id).catch(() => undefined);
    if (!cur || !this.holds(cur)) return;
    this.current = await this.leases.store.workspaces.update(cur, { ...cur, pendingEvents: pendingAfter(cur, this.landed), leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() }).catch(() => this.current);
  }

  /**
   * Writes a patch under the lease. A concurrent API change (desired state, activity) is merged by
   * re-reading; a lease another holder took meanwhile throws `lease.lost`, and the caller stops acting.
   * `still` guards a decision made on the record read before: when a re-read fails it, nothing is
   * written and the fresh record is returned for the caller to decide again.
   */
  async save(patch: Patch, event?: SaveEvent, still?: (fresh: WorkspaceRecord) => boolean): Promise<WorkspaceRecord> {
    await this.settle();
    const e = event && this.leases.pendingEventOf(event);
    const { rec, written } = await this.write(patch, still, e);
    if (written) await this.tell(rec, e);
    return rec;
  }

  /**
   * A save that returns once the record is written, for a status entered before a driver call: the
   * event is written meanwhile (it took its id, and so its place in the log, at once) and waiters
   * are told after it. The next save or release waits for it first; a save fails with its failure.
   */
  async saveAhead(patch: Patch, event: SaveEvent): Promise<WorkspaceRecord> {
    await this.settle();
    const e = this.leases.pendingEventOf(event);
    const { rec, written } = await this.write(patch, undefined, e);
    if (written) this.announce(rec, e);
    return rec;
  }

  /** Resolves when the events this holder wrote ahead have landed (or failed; it never rejects). */
  written(): Promise<void> {
    return (this.pending ?? Promise.resolve()).catch(() => undefined);
  }

  /** Writes `event` (already on `rec` as pending) without waiting for it (see saveAhead). */
  announce(rec: WorkspaceRecord, event: PendingEvent): void {
    this.pending = this.tell(rec, event);
    this.pending.catch(() => undefined);
  }

  /** Waits for an event written ahead; its failure is the caller's (the record was written without it). */
  private async settle(): Promise<void> {
    const p = this.pending;
    this.pending = undefined;
    await p;
  }

  // Waiters are told after the event is written, so whoever a `?wait` answers also finds the event.
  private async tell(rec: WorkspaceRecord, event?: PendingEvent): Promise<void> {
    try {
      if (event) {
        await this.leases.workspaces.writeEvent(rec, event);
        this.landed.add(event.id);
      }
    } finally {
      this.leases.workspaces.changes.notify(rec.id, rec);
    }
  }

  /** Writes `patch` (with `event` among the record's pending events, and the landed ones dropped). */
  private async write(patch: Patch, still?: (fresh: WorkspaceRecord) => boolean, event?: PendingEvent): Promise<{ rec: WorkspaceRecord; written: boolean }> {
    let cur = this.current;
    const intended = cur.desiredState;
    for (let i = 0; ; i++) {
      if (!this.holds(cur)) throw new WorkbayError('lease.lost', `workspace ${cur.id} is held by another worker`);
      try {
        const next = await this.leases.store.workspaces.update(cur, { ...cur, ...patch, pendingEvents: pendingAfter(cur, this.landed, event) });
        this.current = next;
        return { rec: next, written: true };
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict') || i >= 4) throw err;
        const fresh = await this.leases.store.workspaces.get(cur.id);
        if (!fresh) throw new WorkbayError('workspace.notFound', `workspace ${cur.id} vanished`);
        cur = fresh;
        this.current = fresh;
        // A status decided for the old desired state is stale: the next pass decides again.
        if (this.holds(fresh) && ((patch.status && fresh.desiredState !== intended) || (still && !still(fresh)))) return { rec: fresh, written: false };
      }
    }
  }

  /**
   * Gives the lease up (a retry backoff keeps its leaseUntil so re-drive waits for it), writing
   * `patch` with it (the end of a counted pass). The first try writes over the record this holder
   * last wrote, without reading it back; a concurrent change makes it re-read.
   */
  async release(patch: Patch = {}): Promise<void> {
    await this.written();
    // Unreadable store: the lease expires by itself within LEASE_MS.
    let cur: WorkspaceRecord | undefined = this.current;
    for (let i = 0; i < 3; i++) {
      if (i > 0) cur = await this.leases.store.workspaces.get(this.current.id).catch(() => undefined);
      if (!cur || !this.holds(cur)) return;
      try {
        this.current = await this.leases.store.workspaces.update(cur, { ...cur, ...patch, pendingEvents: pendingAfter(cur, this.landed), leaseOwner: undefined, leaseUntil: cur.attempts ? cur.leaseUntil : undefined });
        return;
      } catch (err) {
        if (!isWorkbayError(err, 'store.conflict')) return;
      }
    }
  }
}

/**
 * Leases on workspaces (DESIGN §2): one unit of work (a reconcile pass, one sweep's claim) acts on a
 * workspace at a time, whether the other worker is in another process or in this one. Taking a lease
 * is a conditional write on `version`, so of two workers only one wins.
 */
export class Leases {
  constructor(
    readonly store: Store,
    readonly workspaces: WorkspaceService,
    /** Names this process in lease tokens (for operators reading the table). */
    readonly workerId: string,
    /** Who the events written through `save` name as their actor. */
    readonly actor: 'reconciler' | 'sweeper' = 'reconciler',
  ) {}

  /** The pending event of a save, naming this worker kind as its actor. */
  pendingEventOf(e: SaveEvent): PendingEvent {
    return pendingEvent(e.type, e.message, this.actor, e.data);
  }

  /** False while a live lease is held by anyone, this process included (`ignoreLease`: always true). */
  free(ws: WorkspaceRecord, ignoreLease: boolean): boolean {
    const held = ws.leaseOwner && ws.leaseUntil && Date.parse(ws.leaseUntil) > Date.now();
    return !held || ignoreLease;
  }

  /**
   * Takes the lease unless a live one is held by anyone, this process included; undefined when it
   * lost the race. `ignoreLease` takes over any lease (an embedded restart: holders are dead).
   * `patch` is written with the lease (what the holder would write first anyway), and `event` for it
   * after, without waiting (see Lease.saveAhead). Pending events a dead writer left on the record are
   * written first (those not in the log yet) and dropped with the lease's write (pending-events.ts).
   */
  async acquire(ws: WorkspaceRecord, ignoreLease: boolean, patch: Patch = {}, event?: SaveEvent): Promise<Lease | undefined> {
    if (!this.free(ws, ignoreLease)) return undefined;
    const token = `${this.workerId}#${ulid()}`;
    const flushed = ws.pendingEvents?.length ? await this.workspaces.flushPendingEvents(ws) : new Set<string>();
    const e = event && this.pendingEventOf(event);
    let lease: Lease;
    try {
      const rec = await this.store.workspaces.update(ws, { ...ws, ...patch, pendingEvents: pendingAfter(ws, flushed, e), leaseOwner: token, leaseUntil: new Date(Date.now() + LEASE_MS).toISOString() });
      lease = new Lease(this, token, rec);
    } catch (err) {
      if (isWorkbayError(err, 'store.conflict')) return undefined;
      throw err;
    }
    if (e) lease.announce(lease.current, e);
    return lease;
  }
}
