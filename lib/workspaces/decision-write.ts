import { isWorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import type { WorkspaceService } from './service';

/**
 * Records a sweep's decision with a conditional write on the version it was judged on. A conflict
 * from a write that leaves the decision standing (a lease taken to observe, a warning, an unrelated
 * change) is retried on the fresh record; when `still` no longer holds (activity, a changed desired
 * state, another sweep recorded it first) nothing is written. Undefined when nothing was written.
 */
export async function writeDecision(
  store: Store, workspaces: WorkspaceService, ws: WorkspaceRecord,
  still: (fresh: WorkspaceRecord) => boolean, patch: Partial<WorkspaceRecord>, attempts = 8,
): Promise<WorkspaceRecord | undefined> {
  let cur = ws;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (!still(cur)) return undefined;
    try {
      const next = await store.workspaces.update(cur, { ...cur, ...patch });
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
