import { newEventId } from '../store/events';
import type { PendingEvent, WorkspaceRecord } from './model';

/**
 * Events that ride on the record with the state change they report (a transactional outbox inside
 * the one item DynamoDB can write atomically; ADR 0011). The writer puts the event into
 * `pendingEvents` in the same conditional write as the change, then writes the outbox item and the
 * audit event under that id. A later writer that knows they landed (the lease holder itself, or a
 * reconcile pass that found them in the log) drops them; one that finds them unwritten writes them
 * again under the same id, which is idempotent. So a process dying between the two writes delays an
 * event, never loses it.
 */

/** A new pending event: its id is taken now, so it keeps its place in the log whenever it is written. */
export function pendingEvent(type: string, message: string, actor?: string, data?: Record<string, unknown>): PendingEvent {
  return { id: newEventId(), at: new Date().toISOString(), type, message, ...(actor ? { actor } : {}), ...(data ? { data } : {}) };
}

/** `pendingEvents` of `ws` with `add` appended and the ids in `landed` dropped (undefined when none are left). */
export function pendingAfter(ws: Pick<WorkspaceRecord, 'pendingEvents'>, landed: ReadonlySet<string>, add?: PendingEvent): PendingEvent[] | undefined {
  const left = [...(ws.pendingEvents ?? []).filter((e) => !landed.has(e.id)), ...(add ? [add] : [])];
  return left.length ? left : undefined;
}
