/**
 * When a workspace's scheduled cleanup falls due, derived from the record (a leaf like model.ts: the
 * store keys its index by these, the view shows them, the sweeper judges by them). Derived rather
 * than stored, so a `keep` toggle or a restart can never leave a stale deadline behind.
 */
import type { WorkspaceRecord } from './model';

const plus = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

/** When a Running workspace is stopped whatever its activity (`startedAt + maxLifetime`); undefined = never. */
export function stopAtOf(ws: WorkspaceRecord): string | undefined {
  if (ws.status !== 'Running' || ws.desiredState !== 'Running' || !ws.maxLifetimeSeconds || !ws.startedAt) return undefined;
  return plus(ws.startedAt, ws.maxLifetimeSeconds);
}

/** When a Stopped workspace is deleted (`stoppedAt + retention`); undefined while kept, not stopped, or never. */
export function deleteAfterOf(ws: WorkspaceRecord): string | undefined {
  if (ws.status !== 'Stopped' || ws.desiredState !== 'Stopped' || ws.keep || ws.retentionSeconds === undefined) return undefined;
  // Records stopped before stoppedAt existed count from their last change.
  return plus(ws.stoppedAt ?? ws.updatedAt, ws.retentionSeconds);
}

/**
 * When the sweeper must next look at a Stopped workspace: the warning time until the warning for
 * this deadline went out, then the deadline itself. The RETAIN index is keyed by it, so a warned
 * workspace is not read again until it is due.
 */
export function retentionCheckAt(ws: WorkspaceRecord): string | undefined {
  const deleteAfter = deleteAfterOf(ws);
  if (!deleteAfter || ws.retentionWarningFor === deleteAfter || !ws.retentionWarningSeconds) return deleteAfter;
  return plus(deleteAfter, -ws.retentionWarningSeconds);
}

/** The SWEEP index key time of a Running workspace: the earlier of its idle deadline and its stop time. */
export function sweepAtOf(ws: WorkspaceRecord): string | undefined {
  const idle = ws.inactivityTimeoutSeconds > 0 ? ws.idleDeadline : undefined;
  const stopAt = stopAtOf(ws);
  if (!idle || !stopAt) return idle ?? stopAt;
  return idle < stopAt ? idle : stopAt;
}
