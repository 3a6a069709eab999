import type { WorkspaceRecord } from './model';
import { deleteAfterOf, stopAtOf } from './lifecycle-deadlines';

/** What the sweeper decides for a Running workspace at its maximum lifetime (pure; no I/O). */
export type LifetimeDecision =
  | { kind: 'skip' }
  /** Past `stopAt`: record desired Stopped with `stopReason: maxLifetime`; the reconciler stops. */
  | { kind: 'stop'; stopAt: string };

/** What the sweeper decides for a Stopped workspace under retention (pure; no I/O). */
export type RetentionDecision =
  | { kind: 'skip' }
  /** Within the warning lead time of its delete deadline: one `workspace.retention-warning`. */
  | { kind: 'warn'; deleteAfter: string }
  /** Past its deadline: record desired Deleted with `deleteReason: retention`, warning first if none went out. */
  | { kind: 'delete'; deleteAfter: string; warnFirst: boolean };

/** Stops a Running workspace past `startedAt + maxLifetime`, whatever its activity. */
export function lifetimeDecision(ws: WorkspaceRecord | undefined, now: Date): LifetimeDecision {
  const stopAt = ws && stopAtOf(ws);
  return stopAt && Date.parse(stopAt) <= now.getTime() ? { kind: 'stop', stopAt } : { kind: 'skip' };
}

/**
 * Warns, then deletes, a Stopped workspace kept longer than its retention. A workspace marked
 * `keep`, not Stopped, or without retention is skipped. An ephemeral one (retention 0) is not
 * warned: deleting on stop is what its owner asked for.
 */
export function retentionDecision(ws: WorkspaceRecord | undefined, now: Date): RetentionDecision {
  const deleteAfter = ws && deleteAfterOf(ws);
  if (!ws || !deleteAfter) return { kind: 'skip' };
  const warned = ws.retentionWarningFor === deleteAfter;
  const due = Date.parse(deleteAfter);
  if (due <= now.getTime()) return { kind: 'delete', deleteAfter, warnFirst: !warned && ws.retentionSeconds! > 0 };
  if (!warned && due - (ws.retentionWarningSeconds ?? 0) * 1000 <= now.getTime()) return { kind: 'warn', deleteAfter };
  return { kind: 'skip' };
}

/** True for a Stopped workspace with retention 0 (and no `keep`): it is wanted deleted at once. */
export function deleteOnStop(ws: WorkspaceRecord): boolean {
  return ws.retentionSeconds === 0 && deleteAfterOf(ws) !== undefined;
}
