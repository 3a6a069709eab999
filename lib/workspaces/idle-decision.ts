import type { WorkspaceRecord } from '../store';

/** What the sweeper decides for one due workspace (pure; no I/O). */
export type IdleDecision =
  | { kind: 'skip' }
  /** Activity inside the container the record has not seen yet: the deadline moves. */
  | { kind: 'extend'; lastActivityAt: string; idleDeadline: string }
  /** Idle past its deadline: record desired Stopped with `stopReason: inactivity`; the reconciler stops. */
  | { kind: 'stop' };

/** True while the workspace is one the sweeper judges at all (Running, wanted Running, with a timeout). */
export function sweepable(ws: WorkspaceRecord | undefined): ws is WorkspaceRecord {
  return !!ws && ws.status === 'Running' && ws.desiredState === 'Running' && !!ws.idleDeadline && ws.inactivityTimeoutSeconds > 0;
}

/**
 * Decides from the record, the in-container activity the driver reported (`seenAt`, the mtime of
 * DevPod's activity file) and `now`.
 */
export function idleDecision(ws: WorkspaceRecord, seenAt: Date | undefined, now: Date): IdleDecision {
  if (!sweepable(ws) || Date.parse(ws.idleDeadline!) > now.getTime()) return { kind: 'skip' };
  const timeoutMs = ws.inactivityTimeoutSeconds * 1000;
  const last = ws.lastActivityAt ? Date.parse(ws.lastActivityAt) : 0;
  if (seenAt && seenAt.getTime() > last && seenAt.getTime() + timeoutMs > now.getTime()) {
    return { kind: 'extend', lastActivityAt: seenAt.toISOString(), idleDeadline: new Date(seenAt.getTime() + timeoutMs).toISOString() };
  }
  return { kind: 'stop' };
}
