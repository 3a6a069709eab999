import { isWorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import { driverWorkspace, type DriverFor } from './drivers';
import { Leases } from './lease';
import type { WorkspaceService } from './service';

/** What one sweep did (DESIGN §5). `read` counts index items read, for the cost benchmark. */
export interface SweepResult {
  checked: number;
  stopped: number;
  extended: number;
  failed: number;
  warned: number;
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
 * The inactivity sweep: reads due workspaces from the sparse SWEEP index (never a Scan), claims each
 * with a lease (a conditional write), re-reads in-container activity after claiming, then extends the
 * deadline or stops the workspace with `stopReason: inactivity`. Per-item failures are isolated.
 */
export class Sweeper {
  private readonly leases: Leases;

  constructor(private readonly store: Store, private readonly workspaces: WorkspaceService, private readonly driverFor: DriverFor, workerId: string) {
    this.leases = new Leases(store, workspaces, workerId, 'sweeper');
  }

  async sweep(opts: SweepOptions = {}): Promise<SweepResult> {
    const now = opts.now ?? new Date();
    const result: SweepResult = { checked: 0, stopped: 0, extended: 0, failed: 0, warned: 0, read: 0, failures: [] };
    const horizon = new Date(now.getTime() + (opts.warnBeforeSeconds ?? 0) * 1000).toISOString();
    const candidates: WorkspaceRecord[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.store.workspaces.listIdle(horizon, { cursor });
      result.read += page.read;
      candidates.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    let next = 0;
    const worker = async () => {
      while (next < candidates.length) {
        const ws = candidates[next++]!;
        try {
          await this.one(ws, now, result);
        } catch (err) {
          result.failed++;
          result.failures.push({ workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) });
          await this.workspaces.event(ws, 'workspace.sweepFailed', `inactivity check failed: ${err instanceof Error ? err.message : String(err)}`, 'sweeper').catch(() => undefined);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, candidates.length) }, worker));
    return result;
  }

  /** Handles one candidate: a warning when it is near its deadline, a claim and a decision when due. */
  private async one(seen: WorkspaceRecord, now: Date, result: SweepResult): Promise<void> {
    const ws = await this.store.workspaces.get(seen.id);
    if (!ws || ws.status !== 'Running' || ws.desiredState !== 'Running' || !ws.idleDeadline || ws.inactivityTimeoutSeconds === 0) return;
    const due = Date.parse(ws.idleDeadline) <= now.getTime();
    if (!due) {
      if (ws.idleWarningFor !== ws.idleDeadline && await this.warn(ws)) result.warned++;
      return;
    }
    const lease = await this.leases.acquire(ws, false);
    if (!lease) return;
    result.checked++;
    let cur = lease.current;
    try {
      const driver = await this.driverFor(cur);
      try {
        const seenAt = await driver.lastActivity(driverWorkspace(cur));
        const last = cur.lastActivityAt ? Date.parse(cur.lastActivityAt) : 0;
        if (seenAt && seenAt.getTime() > last && seenAt.getTime() + cur.inactivityTimeoutSeconds * 1000 > now.getTime()) {
          cur = await lease.save({
            lastActivityAt: seenAt.toISOString(), lastActivitySource: 'container',
            idleDeadline: new Date(seenAt.getTime() + cur.inactivityTimeoutSeconds * 1000).toISOString(),
          });
          result.extended++;
          return;
        }
        if (cur.idleWarningFor !== cur.idleDeadline) lease.current = cur = await this.warn(cur, true) ?? cur;
        const decidedOn = cur.lastActivityAt;
        cur = await lease.save({ desiredState: 'Stopped', status: 'Stopping', stopReason: 'inactivity' }, undefined,
          (fresh) => fresh.desiredState === 'Running' && fresh.lastActivityAt === decidedOn);
        // Activity or a user's change landed while deciding: the next sweep looks again.
        if (cur.status !== 'Stopping' || cur.stopReason !== 'inactivity') return;
        await driver.stop(driverWorkspace(cur));
        cur = await lease.save({ status: 'Stopped', idleDeadline: undefined }, {
          type: 'workspace.stopped', message: `stopped after ${cur.inactivityTimeoutSeconds} s without activity (last: ${cur.lastActivitySource ?? 'none'} at ${cur.lastActivityAt ?? 'never'})`,
          data: { stopReason: 'inactivity', lastActivityAt: cur.lastActivityAt, lastActivitySource: cur.lastActivitySource },
        });
        result.stopped++;
      } finally {
        await driver.close?.();
      }
    } catch (err) {
      // Another worker took the workspace over: it decides, and this sweep does not count it.
      if (isWorkbayError(err, 'lease.lost')) return;
      throw err;
    } finally {
      await lease.release();
    }
  }

  /** One `workspace.idle-warning` per deadline, made unique by a conditional write. */
  private async warn(ws: WorkspaceRecord, immediate = false): Promise<WorkspaceRecord | undefined> {
    try {
      const next = await this.store.workspaces.update(ws, { ...ws, idleWarningFor: ws.idleDeadline });
      await this.workspaces.event(next, 'workspace.idle-warning', immediate
        ? `idle since ${ws.lastActivityAt}; stopping now`
        : `will stop at ${ws.idleDeadline} unless there is activity`, 'sweeper', { idleDeadline: ws.idleDeadline });
      return next;
    } catch (err) {
      if (isWorkbayError(err, 'store.conflict')) return undefined;
      throw err;
    }
  }
}
