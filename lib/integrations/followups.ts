import type { EventRecord, Store, WorkspaceRecord } from '../store';
import { callbackProblem, postCallback } from './callbacks';
import { followsUp, followUpMessage } from './slack-messages';

/** Options of the follow-up poster. */
export interface FollowUpOptions {
  store: Store;
  allowLoopback: boolean;
  fetch?: typeof fetch;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Posts Slack follow-ups (Running, Error, idle warning, stopped for inactivity) to the response_url
 * recorded when a command asked for a workspace. It listens to the workspace service's events, so it
 * runs in whichever process appends them: the embedded process, or on AWS the reconciler and sweeper
 * functions, which `drain()` before they return (nothing runs after a Lambda returns).
 */
export class FollowUps {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly o: FollowUpOptions) {}

  /** The workspace service's event listener: starts a follow-up and returns at once. */
  readonly onEvent = (ws: WorkspaceRecord, e: EventRecord): void => {
    if (!followsUp(e)) return;
    const p = this.deliver(ws, e).catch((err: unknown) => {
      // The URL may carry Slack's token for the message: log the workspace, never the URL.
      this.o.log?.({ level: 'warn', msg: 'slack follow-up failed', workspaceId: ws.id, event: e.type, error: err instanceof Error ? err.message : String(err) });
    }).finally(() => this.pending.delete(p));
    this.pending.add(p);
  };

  /** Waits for follow-ups in flight (Lambda handlers call this before returning; tests too). */
  async drain(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async deliver(ws: WorkspaceRecord, e: EventRecord): Promise<void> {
    const f = await this.o.store.integrations.getFollowUp(ws.id);
    if (!f || callbackProblem(f.responseUrl, this.o.allowLoopback)) return;
    const used = await this.o.store.integrations.useFollowUp(ws.id);
    if (!used) return;
    const status = await postCallback(used.responseUrl, followUpMessage(ws, e), this.o.allowLoopback, this.o.fetch);
    await this.o.store.integrations.appendEvent({
      integrationId: f.integrationId, type: 'integration.slack.followUp',
      message: `follow-up ${used.uses} of 5 for ${ws.name} (${e.type}) answered ${status}`, data: { workspaceId: ws.id, event: e.type, status },
    });
  }
}
