import type { Observed } from '../drivers';
import type { WorkspaceRecord } from '../store';

/** How what the engine shows differs from a settled workspace's record (pure; no I/O). */
export type Drift =
  | { kind: 'none' }
  /** Desired and recorded Running, but the container is stopped (`docker stop`, an engine restart, a crash). */
  | { kind: 'stopped'; exitCode?: number }
  /** Desired and recorded Running, but nothing is there (`docker rm -f`, a deleted pod). */
  | { kind: 'missing' }
  /** Desired and recorded Stopped, but it runs (started by hand on the engine). */
  | { kind: 'running' };

/** Restarts after drift allowed within `CRASH_WINDOW_MS` before the workspace goes to Error. */
export const MAX_DRIFT_RESTARTS = 3;
export const CRASH_WINDOW_MS = 10 * 60_000;

/** Compares a settled workspace with what its driver observed. Busy (starting, pulling) is never drift. */
export function driftOf(ws: WorkspaceRecord, obs: Observed | undefined): Drift {
  if (ws.desiredState === 'Running' && ws.status === 'Running') {
    if (!obs) return { kind: 'missing' };
    if (obs.state === 'stopped') return { kind: 'stopped', ...(obs.exitCode === undefined ? {} : { exitCode: obs.exitCode }) };
    return { kind: 'none' };
  }
  if (ws.desiredState === 'Stopped' && ws.status === 'Stopped' && ws.driverRef && obs?.state === 'running') return { kind: 'running' };
  return { kind: 'none' };
}

/** Restarts counted within the crash window, this one included. */
export function restartsInWindow(ws: WorkspaceRecord, now: Date): number {
  const recent = ws.lastDriftAt && now.getTime() - Date.parse(ws.lastDriftAt) < CRASH_WINDOW_MS;
  return (recent ? ws.driftRestarts ?? 0 : 0) + 1;
}

/** True when starting it again would only feed a restart storm. */
export function crashLooping(ws: WorkspaceRecord, now: Date): boolean {
  return restartsInWindow(ws, now) > MAX_DRIFT_RESTARTS;
}

/** Words for the event that says why workbay acted. */
export function driftMessage(d: Drift): string {
  switch (d.kind) {
    case 'stopped': return `the container was found stopped outside workbay${d.exitCode === undefined ? '' : ` (exit code ${d.exitCode})`}; starting it again`;
    case 'missing': return 'the container was found missing outside workbay; creating it again on its volume';
    case 'running': return 'the workspace was found running although it is stopped; stopping it';
    default: return 'no drift';
  }
}
