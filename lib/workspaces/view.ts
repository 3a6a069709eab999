import type { WorkspaceRecord, WorkspaceStatus } from '../store';

/** DevPod's four states, for DevPod-minded callers. */
export type DevpodStatus = 'Running' | 'Busy' | 'Stopped' | 'NotFound';

/** A workspace as the API shows it: no lease internals, env values hidden (they may be secrets). */
export type WorkspaceView = Omit<WorkspaceRecord, 'leaseOwner' | 'leaseUntil' | 'env' | 'attempts' | 'idleWarningFor'> & {
  envKeys: string[];
  devpodStatus: DevpodStatus;
};

const DEVPOD: Record<WorkspaceStatus, DevpodStatus> = {
  Pending: 'Busy', Creating: 'Busy', Running: 'Running', Stopping: 'Busy', Stopped: 'Stopped',
  Starting: 'Busy', Deleting: 'Busy', Error: 'Stopped',
};

/** Maps a stored workspace onto its API view. */
export function workspaceView(ws: WorkspaceRecord): WorkspaceView {
  const { leaseOwner: _o, leaseUntil: _u, attempts: _a, idleWarningFor: _w, env, ...rest } = ws;
  return { ...rest, envKeys: Object.keys(env).sort(), devpodStatus: DEVPOD[ws.status] };
}
