import type { OutboxRecord, WorkspaceRecord } from '../store';

/** Workspace events delivered to subscriptions; other audit events (progress, retries) stay internal. */
export const WORKSPACE_EVENT_TYPES = [
  'workspace.created', 'workspace.running', 'workspace.idle-warning', 'workspace.stopped', 'workspace.error',
  'workspace.retention-warning', 'workspace.deleted',
] as const;

/** Every type a subscription may ask for: the workspace events and the notice that an endpoint was disabled. */
export const OUTGOING_EVENT_TYPES = [...WORKSPACE_EVENT_TYPES, 'webhook.disabled'] as const;

export type OutgoingEventType = (typeof OUTGOING_EVENT_TYPES)[number];

const DELIVERED = new Set<string>(WORKSPACE_EVENT_TYPES);

/** The audit event an outgoing event is made from (id and time are fixed before either is written). */
export interface SourceEvent { id: string; at: string; type: string; message: string; data?: Record<string, unknown> }

/** The Standard Webhooks payload `{type, timestamp, data}`, serialised once so every attempt signs the same bytes. */
export function payloadBody(type: string, timestamp: string, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp, data });
}

/**
 * The outbox item for an audit event, or undefined when the type is not delivered. `data` names the
 * workspace and what the event adds (stop reason, error reason and code, idle deadline); never options,
 * env or anything else a record may hold that could be secret.
 */
export function outboxItemFor(ws: WorkspaceRecord, e: SourceEvent): OutboxRecord | undefined {
  if (!DELIVERED.has(e.type)) return undefined;
  const d = e.data ?? {};
  const extra: Record<string, unknown> =
    e.type === 'workspace.stopped' ? { stopReason: (d.stopReason as string | undefined) ?? ws.stopReason ?? 'user', ...(d.lastActivityAt ? { lastActivityAt: d.lastActivityAt } : {}) }
      : e.type === 'workspace.error' ? { reason: e.message, ...(d.code ? { code: d.code } : {}) }
        : e.type === 'workspace.idle-warning' ? { idleDeadline: d.idleDeadline ?? ws.idleDeadline, message: e.message }
          : e.type === 'workspace.retention-warning' ? { deleteAfter: d.deleteAfter, message: e.message }
            : e.type === 'workspace.deleted' ? { ...(d.forced ? { forced: true } : {}), ...(d.deleteReason ? { deleteReason: d.deleteReason } : {}) } : {};
  const data = {
    eventId: e.id,
    workspace: { id: ws.id, name: ws.name, owner: ws.owner, provider: ws.provider, driver: ws.driver, status: e.type === 'workspace.deleted' ? 'Deleted' : ws.status, desiredState: ws.desiredState },
    ...extra,
  };
  return { eventId: e.id, type: e.type, owner: ws.owner, workspaceId: ws.id, timestamp: e.at, body: payloadBody(e.type, e.at, data) };
}
