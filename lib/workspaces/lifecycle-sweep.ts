import pMap from 'p-map';
import type { Store, WorkspaceRecord } from '../store';
import { writeDecision, type DecisionEvent } from './decision-write';
import { deleteAfterOf } from './lifecycle-deadlines';
import { lifetimeDecision, retentionDecision } from './lifecycle-decision';
import type { WorkspaceService } from './service';

/** What the scheduled cleanup adds to a sweep's result. */
export interface LifecycleCounts {
  checked: number;
  stopped: number;
  deleted: number;
  warned: number;
  failed: number;
  read: number;
  failures: { workspaceId: string; error: string }[];
}

/**
 * The scheduled cleanup beyond idle stops (maximum lifetime, retention), as the sweeper runs it. It
 * decides and records, never acts: desired Stopped with `stopReason: maxLifetime`, or desired
 * Deleted with `deleteReason: retention`, each by a conditional write re-judged on the version it
 * writes over, then a kick; the reconciler stops or deletes (the one stop and one delete path). It
 * holds no driver at all.
 */
export class LifecycleSweep {
  constructor(private readonly store: Store, private readonly workspaces: WorkspaceService) {}

  /** Records the stop of a Running workspace past its maximum lifetime; false when voided or already recorded. */
  async stopForLifetime(seen: WorkspaceRecord, now: Date): Promise<boolean> {
    const decision = lifetimeDecision(seen, now);
    if (decision.kind !== 'stop') return false;
    const next = await this.write(seen, (ws) => lifetimeDecision(ws, now).kind === 'stop', { desiredState: 'Stopped', stopReason: 'maxLifetime' }, () => ({
      type: 'workspace.stopRequested', message: `running since ${seen.startedAt}, past its maximum lifetime (${decision.stopAt}); stopping`, actor: 'sweeper',
      data: { stopReason: 'maxLifetime', stopAt: decision.stopAt },
    }));
    if (!next) return false;
    this.workspaces.kick(next.id);
    return true;
  }

  /**
   * Reads the RETAIN shard up to `now` (only what is due for a warning or a delete, never a Scan)
   * and warns or records the delete of each; per-item failures are isolated.
   */
  async retain(now: Date, concurrency: number): Promise<LifecycleCounts> {
    const out: LifecycleCounts = { checked: 0, stopped: 0, deleted: 0, warned: 0, failed: 0, read: 0, failures: [] };
    const due: WorkspaceRecord[] = [];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await this.store.workspaces.listRetained(now.toISOString(), { cursor });
      out.read += page.read;
      due.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    await pMap(due, async (ws) => {
      try {
        await this.one(ws.id, now, out);
      } catch (err) {
        out.failed++;
        out.failures.push({ workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) });
        // The failure is in the result already; its event is a courtesy.
        await this.workspaces.event(ws, 'workspace.sweepFailed', `retention check failed: ${err instanceof Error ? err.message : String(err)}`, 'sweeper').catch(() => undefined);
      }
    }, { concurrency });
    return out;
  }

  private async one(id: string, now: Date, out: LifecycleCounts): Promise<void> {
    let ws = await this.store.workspaces.get(id);
    let decision = retentionDecision(ws, now);
    if (!ws || decision.kind === 'skip') return;
    if (decision.kind === 'warn' || decision.warnFirst) {
      ws = await this.warn(ws, decision.deleteAfter, decision.kind === 'delete');
      if (!ws) return;
      out.warned++;
      decision = retentionDecision(ws, now);
    }
    if (decision.kind !== 'delete') return;
    out.checked++;
    const deleteAfter = decision.deleteAfter;
    // Judged again on the version written over: a start, a keep or a user's delete meanwhile voids it.
    const next = await this.write(ws, (fresh) => {
      const d = retentionDecision(fresh, now);
      return d.kind === 'delete' && d.deleteAfter === deleteAfter;
    }, { desiredState: 'Deleted', status: 'Deleting', statusReason: undefined, deleteReason: 'retention', attempts: 0 }, () => ({
      type: 'workspace.deleteRequested', message: `stopped since ${ws.stoppedAt ?? ws.updatedAt}, past its retention (${deleteAfter}); deleting`, actor: 'sweeper',
      data: { deleteReason: 'retention', deleteAfter },
    }));
    if (!next) return;
    out.deleted++;
    this.workspaces.kick(next.id);
  }

  /** One `workspace.retention-warning` per delete deadline, made unique by a conditional write. */
  private async warn(ws: WorkspaceRecord, deleteAfter: string, immediate: boolean): Promise<WorkspaceRecord | undefined> {
    return this.write(ws, (fresh) => deleteAfterOf(fresh) === deleteAfter && fresh.retentionWarningFor !== deleteAfter, { retentionWarningFor: deleteAfter }, () => ({
      type: 'workspace.retention-warning', actor: 'sweeper', data: { deleteAfter, retentionSeconds: ws.retentionSeconds },
      message: immediate ? `stopped since ${ws.stoppedAt ?? ws.updatedAt}; retention is over, deleting now` : `will be deleted at ${deleteAfter} unless it is started or kept`,
    }));
  }

  private write(ws: WorkspaceRecord, still: (fresh: WorkspaceRecord) => boolean, patch: Partial<WorkspaceRecord>, event?: (next: WorkspaceRecord) => DecisionEvent): Promise<WorkspaceRecord | undefined> {
    return writeDecision(this.store, this.workspaces, ws, still, patch, { event });
  }
}
