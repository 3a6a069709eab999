import { isWorkbayError } from '../errors';
import type { ActivitySource, Store, WorkspaceRecord } from '../store';

/** A heartbeat that would move the deadline by less than this share of the timeout is not written. */
export const THROTTLE_FRACTION = 0.05;

/**
 * Records activity: the idle deadline only ever moves later, and writes are throttled so a chatty
 * client (IDE heartbeats every few seconds) costs few writes. Returns the stored record.
 */
export async function recordActivity(store: Store, ws: WorkspaceRecord, source: ActivitySource, at = new Date()): Promise<WorkspaceRecord> {
  let cur = ws;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (cur.status !== 'Running') return cur;
    const timeoutMs = cur.inactivityTimeoutSeconds * 1000;
    const deadline = timeoutMs > 0 ? new Date(at.getTime() + timeoutMs) : undefined;
    const old = cur.idleDeadline ? Date.parse(cur.idleDeadline) : 0;
    const lastAt = cur.lastActivityAt ? Date.parse(cur.lastActivityAt) : 0;
    if (at.getTime() <= lastAt) return cur;
    const moveMs = deadline ? deadline.getTime() - old : at.getTime() - lastAt;
    const throttleMs = timeoutMs > 0 ? timeoutMs * THROTTLE_FRACTION : 60_000;
    if (moveMs < throttleMs && cur.lastActivitySource === source) return cur;
    try {
      return await store.workspaces.update(cur, {
        ...cur, lastActivityAt: at.toISOString(), lastActivitySource: source,
        idleDeadline: deadline && deadline.getTime() > old ? deadline.toISOString() : cur.idleDeadline,
      });
    } catch (err) {
      if (!isWorkbayError(err, 'store.conflict')) throw err;
      const fresh = await store.workspaces.get(cur.id);
      if (!fresh) return cur;
      cur = fresh;
    }
  }
  return cur;
}
