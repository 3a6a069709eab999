import type { WorkspaceRecord, WorkspaceStatus } from '../store';
import type { SaveEvent } from './lease';
import { deleteOnStop } from './lifecycle-decision';

/** A settled workspace: every pass observes it, and what changed on the engine outside workbay is corrected. */
export function settled(ws: WorkspaceRecord): boolean {
  return (ws.status === 'Running' && ws.desiredState === 'Running') || (ws.status === 'Stopped' && ws.desiredState === 'Stopped' && !!ws.driverRef);
}

/**
 * The status a reconcile step enters (and writes) before it calls the driver, when the record is not
 * in it yet; undefined when the step does something else. Pure, so a pass can write it with its
 * lease; the step itself decides by it too, so the two cannot disagree.
 */
export function entryOf(ws: WorkspaceRecord): WorkspaceStatus | undefined {
  if (ws.desiredState === 'Deleted') return ws.status === 'Deleting' ? undefined : 'Deleting';
  if (deleteOnStop(ws) || settled(ws)) return undefined;
  if (ws.desiredState === 'Running') {
    if (ws.status === 'Error') return undefined;
    const want = ws.driverRef ? 'Starting' : 'Creating';
    return ws.status === want ? undefined : want;
  }
  if (ws.status === 'Stopped' || ws.status === 'Error' || ws.status === 'Pending') return undefined;
  return ws.status === 'Stopping' ? undefined : 'Stopping';
}

/** The event of entering `status` (`workspace.creating`, …). */
export function enteredEvent(ws: WorkspaceRecord, status: WorkspaceStatus): SaveEvent {
  return { type: `workspace.${status.toLowerCase()}`, message: `${status.toLowerCase()} workspace ${ws.name}` };
}

/** The `workspace.stopped` event; an idle stop says why, with the activity it judged by. */
export function stoppedEvent(ws: WorkspaceRecord) {
  const stopReason = ws.stopReason ?? 'user';
  if (stopReason === 'maxLifetime') {
    return { type: 'workspace.stopped', message: `stopped at its maximum lifetime of ${ws.maxLifetimeSeconds} s (started ${ws.startedAt})`, data: { stopReason, startedAt: ws.startedAt } };
  }
  if (stopReason !== 'inactivity') return { type: 'workspace.stopped', message: `workspace ${ws.name} stopped`, data: { stopReason } };
  return {
    type: 'workspace.stopped',
    message: `stopped after ${ws.inactivityTimeoutSeconds} s without activity (last: ${ws.lastActivitySource ?? 'none'} at ${ws.lastActivityAt ?? 'never'})`,
    data: { stopReason, lastActivityAt: ws.lastActivityAt, lastActivitySource: ws.lastActivitySource },
  };
}
