import type { EventRecord, Store, WorkspaceRecord } from '../store';
import { outboxItemFor } from '../webhooks/catalogue';
import type { PendingEvent } from './model';
import { pendingAfter, pendingEvent } from './pending-events';

/** An event before it is written: what the outbox and the audit log both take (the actor is the log's alone). */
export type EventHead = Omit<PendingEvent, 'actor'>;

/** Told of every appended event, synchronously; must not throw or block (Slack follow-ups). */
export type EventListener = (ws: WorkspaceRecord, e: EventRecord) => void;

/**
 * Writes workspace events: the outgoing copy first, keyed by the event id, then the audit entry, so
 * a crash between the two may deliver an event the audit log lacks, never lose a delivery (ADR 0011);
 * and, with a state change, the event riding on the record's write first (pending-events.ts).
 */
export class EventWriter {
  constructor(private readonly store: Store, readonly listeners: EventListener[] = []) {}

  /** Writes `e` for `ws`; `tellListeners: false` for an event written again after its writer died. */
  async write(ws: WorkspaceRecord, e: PendingEvent, tellListeners = true): Promise<EventRecord> {
    const { actor, ...head } = e;
    await this.queue(ws, head);
    return this.append(ws, head, actor, tellListeners);
  }

  /** Writes `next` over `prev` with the event that reports the change riding on it, then the event. */
  async updateWith(prev: WorkspaceRecord, next: WorkspaceRecord, type: string, message: string, actor?: string, data?: Record<string, unknown>): Promise<WorkspaceRecord> {
    const e = pendingEvent(type, message, actor, data);
    const rec = await this.store.workspaces.update(prev, { ...next, pendingEvents: pendingAfter(next, new Set(), e) });
    await this.write(rec, e);
    return rec;
  }

  /**
   * Writes the record's pending events that are not in the log yet, under their own ids, and returns
   * the ids of all of them (each is now written). Listeners are not told again: whoever wrote the
   * event first told them, or died before it could, and a follow-up is not worth a duplicate.
   */
  async flushPending(ws: WorkspaceRecord): Promise<Set<string>> {
    const done = new Set<string>();
    for (const e of ws.pendingEvents ?? []) {
      if (!(await this.store.events.has(ws.id, e.id))) await this.write(ws, e, false);
      done.add(e.id);
    }
    return done;
  }

  /** The outgoing copy alone (the delete queues it before the record goes, and appends after). */
  async queue(ws: WorkspaceRecord, e: EventHead): Promise<void> {
    const outgoing = outboxItemFor(ws, e);
    if (outgoing) await this.store.outbox.put(outgoing);
  }

  /** The audit entry alone. */
  async append(ws: WorkspaceRecord, e: EventHead, actor?: string, tellListeners = true): Promise<EventRecord> {
    const rec = await this.store.events.append({ ...e, workspaceId: ws.id, actor });
    if (tellListeners) for (const listen of this.listeners) listen(ws, rec);
    return rec;
  }
}
