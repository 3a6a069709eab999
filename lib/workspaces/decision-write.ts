import { isWorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import type { WorkspaceService } from './service';

/** The event that reports a decision, built on the record as it will be written. */
export interface DecisionEvent { type: string; message: string; actor: string; data?: Record<string, unknown> }

/**
 * Records a sweep's decision with a conditional write on the version it was judged on. A conflict
 * from a write that leaves the decision standing (a lease taken to observe, a warning, an unrelated
 * change) is retried on the fresh record; when `still` no longer holds (activity, a changed desired
 * state, another sweep recorded it first) nothing is written. Undefined when nothing was written.
 * `event` reports the decision: it rides on the write as a pending event and is written after it
 * (pending-events.ts), so a sweep dying between the two does not lose it.
 */
export async function writeDecision(
  store: Store, workspaces: WorkspaceService, ws: WorkspaceRecord,
  still: (fresh: WorkspaceRecord) => boolean, patch: Partial<WorkspaceRecord>,
  opts: { attempts?: number; event?: (next: WorkspaceRecord) => DecisionEvent } = {},
): Promise<WorkspaceRecord | undefined> {
  let cur = ws;
  for (let attempt = 0; attempt < (opts.attempts ?? 8); attempt++) {
    if (!still(cur)) return undefined;
    try {
      const planned = { ...cur, ...patch };
      const d = opts.event?.(planned);
      const next = d ? await workspaces.updateWithEvent(cur, planned, d.type, d.message, d.actor, d.data) : await store.workspaces.update(cur, planned);
      workspaces.changes.notify(next.id);
      return next;
    } catch (err) {
      if (!isWorkbayError(err, 'store.conflict')) throw err;
      const fresh = await store.workspaces.get(ws.id);
      if (!fresh) return undefined;
      cur = fresh;
    }
  }
  return undefined;
}
