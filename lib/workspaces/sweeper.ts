import pMap from 'p-map';
import type { Store, WorkspaceRecord } from '../store';
import { writeDecision, type DecisionEvent } from './decision-write';
import { driverWorkspace, type DriverFor } from './drivers';
import { idleDecision, sweepable } from './idle-decision';
import { LifecycleSweep } from './lifecycle-sweep';
import type { WorkspaceService } from './service';

/** What one sweep did (DESIGN §5). `read` counts index items read, for the cost benchmark. */
export interface SweepResult {
  checked: number;
  stopped: number;
  extended: number;
  failed: number;
  warned: number;
  /** Stopped workspaces past their retention whose delete was recorded (`deleteReason: retention`). */
  deleted: number;
  read: number;
  failures: { workspaceId: string; error: string }[];
}

export interface SweepOptions {
  /** Send `workspace.idle-warning` this many seconds before a deadline (0 = no early warning). */
  warnBeforeSeconds?: number;
  concurrency?: number;
  now?: Date;
}

/**
 * The inactivity sweep: reads due workspaces from the sparse SWEEP index (never a Scan), re-reads each
 * and its in-container activity, then extends the deadline or records desired Stopped with
 * `stopReason: inactivity` for the reconciler to act on. The same pass records maximum-lifetime stops
 * (found in the same index) and retention deletes (RETAIN shard; lib/workspaces/lifecycle-sweep.ts).
 * Per-item failures are isolated.
 */
export class Sweeper {
  constructor(private readonly store: Store, private readonly workspaces: WorkspaceService, private readonly driverFor: DriverFor) {
    this.lifecycle = new LifecycleSweep(store, workspaces);
  }

  /** Maximum lifetime and retention (lib/workspaces/lifecycle-sweep.ts). */
  private readonly lifecycle: LifecycleSweep;

  async sweep(opts: SweepOptions = {}): Promise<SweepResult> {
    const now = opts.now ?? new Date();
    const result: SweepResult = { checked: 0, stopped: 0, extended: 0, failed: 0, warned: 0, deleted: 0, read: 0, failures: [] };
    const horizon = new Date(now.getTime() + (opts.warnBeforeSeconds ?? 0) * 1000).toISOString();
    const candidates: WorkspaceRecord[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.store.workspaces.listIdle(horizon, { cursor });
      result.read += page.read;
      candidates.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    await pMap(candidates, async (ws) => {
      try {
        await this.one(ws, now, result, horizon);
      } catch (err) {
        result.failed++;
        result.failures.push({ workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) });
        // The failure is in the result already; its event is a courtesy.
        await this.workspaces.event(ws, 'workspace.sweepFailed', `inactivity check failed: ${err instanceof Error ? err.message : String(err)}`, 'sweeper').catch(() => undefined);
      }
    }, { concurrency: opts.concurrency ?? 8 });
    const retained = await this.lifecycle.retain(now, opts.concurrency ?? 8);
    for (const k of ['checked', 'deleted', 'warned', 'failed', 'read'] as const) result[k] += retained[k];
    result.failures.push(...retained.failures);
    return result;
  }

  /**
   * Handles one candidate: a warning when it is near its deadline; when due, reads in-container
   * activity and records the decision with a conditional write, so of concurrent sweeps one wins.
   * The sweeper never stops anything itself: the reconciler does (one stop path).
   */
  private async one(seen: WorkspaceRecord, now: Date, result: SweepResult, horizon: string): Promise<void> {
    let ws = await this.store.workspaces.get(seen.id);
    // Past its maximum lifetime it stops whatever its activity: no activity read, no idle warning.
    if (ws && await this.lifecycle.stopForLifetime(ws, now)) {
      result.checked++;
      result.stopped++;
      return;
    }
    if (!sweepable(ws)) return;
    if (Date.parse(ws.idleDeadline!) > now.getTime()) {
      // Read because its stop time is near, not its idle deadline: nothing to warn about yet.
      if (ws.idleDeadline! <= horizon && ws.idleWarningFor !== ws.idleDeadline && await this.warn(ws)) result.warned++;
      return;
    }
    result.checked++;
    const driver = await this.driverFor(ws);
    let seenAt: Date | undefined;
    try {
      seenAt = await driver.lastActivity(driverWorkspace(ws));
    } finally {
      await driver.close?.();
    }
    const decision = idleDecision(ws, seenAt, now);
    if (decision.kind === 'skip') return;
    if (decision.kind === 'extend') {
      if (await this.write(ws, { lastActivityAt: decision.lastActivityAt, lastActivitySource: 'container', idleDeadline: decision.idleDeadline })) result.extended++;
      return;
    }
    if (ws.idleWarningFor !== ws.idleDeadline) ws = await this.warn(ws, true) ?? await this.store.workspaces.get(ws.id);
    // Judged on this version: activity or a user's change since then voids the decision (conflict).
    if (!sweepable(ws) || idleDecision(ws, seenAt, now).kind !== 'stop') return;
    const next = await this.write(ws, { desiredState: 'Stopped', stopReason: 'inactivity' },
      () => ({ type: 'workspace.stopRequested', message: `idle past ${ws.idleDeadline}; stopping`, actor: 'sweeper', data: { stopReason: 'inactivity' } }));
    if (!next) return;
    result.stopped++;
    this.workspaces.kick(next.id);
  }

  /** The decision stands while activity and the deadline are what it was judged on. */
  private write(ws: WorkspaceRecord, patch: Partial<WorkspaceRecord>, event?: (next: WorkspaceRecord) => DecisionEvent): Promise<WorkspaceRecord | undefined> {
    return writeDecision(this.store, this.workspaces, ws,
      (fresh) => sweepable(fresh) && fresh.lastActivityAt === ws.lastActivityAt && fresh.idleDeadline === ws.idleDeadline, patch, { event });
  }

  /** One `workspace.idle-warning` per deadline, made unique by a conditional write. */
  private async warn(ws: WorkspaceRecord, immediate = false): Promise<WorkspaceRecord | undefined> {
    // A conflict with an unrelated write (a lease let go just after Running) is retried; a warning
    // another sweep already sent for this deadline is not sent twice.
    const next = await writeDecision(this.store, this.workspaces, ws,
      (fresh) => sweepable(fresh) && fresh.idleWarningFor !== fresh.idleDeadline && fresh.idleDeadline === ws.idleDeadline,
      { idleWarningFor: ws.idleDeadline }, {
        attempts: 5,
        event: (next) => ({
          type: 'workspace.idle-warning', actor: 'sweeper', data: { idleDeadline: next.idleDeadline },
          message: immediate ? `idle since ${next.lastActivityAt}; stopping now` : `will stop at ${next.idleDeadline} unless there is activity`,
        }),
      });
    return next;
  }
}
