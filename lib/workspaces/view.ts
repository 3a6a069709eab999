import type { ResolvedProvider } from '../config';
import type { WorkspaceRecord, WorkspaceStatus } from '../store';
import { exactly } from '../exact';
import { deleteAfterOf, stopAtOf } from './lifecycle-deadlines';
import type { WorkspaceView } from './view-schema';

export type { WorkspaceView } from './view-schema';

/** Shown instead of a per-workspace `password` option's value. */
const MASK = '********';

/** DevPod's four states, for DevPod-minded callers. */
export type DevpodStatus = WorkspaceView['devpodStatus'];

const DEVPOD: Record<WorkspaceStatus, DevpodStatus> = {
  Pending: 'Busy', Creating: 'Busy', Running: 'Running', Stopping: 'Busy', Stopped: 'Stopped',
  Starting: 'Busy', Deleting: 'Busy', Error: 'Stopped',
};

/**
 * Maps a stored workspace onto its API view: no lease internals, env values hidden (they may be
 * secrets), values of `password` options masked.
 */
export function workspaceView(ws: WorkspaceRecord): WorkspaceView {
  const { leaseOwner: _o, leaseUntil: _u, attempts: _a, idleWarningFor: _w, unfinishedPasses: _p, instance: _i, lastDriftAt: _d, retentionWarningFor: _r, retentionWarningSeconds: _rw, deleteEventId: _de, pendingEvents: _pe, env, secretOptions, ...rest } = ws;
  const hidden = new Set(secretOptions ?? []);
  const options = Object.fromEntries(Object.entries(ws.options).map(([k, v]) => [k, hidden.has(k) ? MASK : v]));
  return exactly<WorkspaceView>()({ ...rest, options, envKeys: Object.keys(env).sort(), devpodStatus: DEVPOD[ws.status], stopAt: stopAtOf(ws), deleteAfter: deleteAfterOf(ws) });
}

/** The keys of `options` that name a `password` option of the provider (compared as `-o` does, upper-cased). */
export function secretOptionNames(provider: ResolvedProvider, options: Record<string, string> = {}): string[] | undefined {
  const names = Object.keys(options).filter((k) => provider.definition.options[k.trim().toUpperCase()]?.password);
  return names.length > 0 ? names : undefined;
}
