import { ulid } from 'ulid';
import type { AttachIO, AttachSession } from '../drivers';
import { WorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import { recordActivity } from '../workspaces/activity';
import { driverWorkspace, type DriverFor } from '../workspaces/drivers';
import type { Actor, WorkspaceService } from '../workspaces/service';
import { attachPlan } from './commands';
import type { StartFrame } from './protocol';

/** While a session is open it counts as activity this often (recordActivity throttles the writes). */
const ACTIVITY_EVERY_MS = 30_000;
/** Sessions one process holds open at most; more are refused rather than exhausting sockets and execs. */
const MAX_SESSIONS = 256;

/** A workspace the caller may attach to, checked before the WebSocket upgrade is accepted. */
export interface AttachTicket {
  workspace: WorkspaceRecord;
  actor: Actor;
}

/** An open session: the driver's exec plus the broker's bookkeeping. */
export interface BrokeredSession extends AttachSession {
  id: string;
}

/** Tunables of the broker (tests shorten them). */
export interface BrokerOptions {
  activityEveryMs?: number;
  maxSessions?: number;
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Bridges an authenticated client to the driver's interactive exec: owner check and state check up
 * front (404 for someone else's workspace, 409 unless Running), activity while the session is open,
 * and the driver released when it ends.
 */
export class AttachBroker {
  private open = 0;

  constructor(private readonly store: Store, private readonly service: WorkspaceService, private readonly driverFor: DriverFor, private readonly o: BrokerOptions = {}) {}

  /** Checks that `actor` may attach to `id` now; throws the API's 404/409 otherwise. */
  async ticket(actor: Actor, id: string): Promise<AttachTicket> {
    const workspace = await this.service.get(actor, id);
    if (workspace.status !== 'Running') {
      throw new WorkbayError('workspace.notRunning', `workspace ${workspace.name} is ${workspace.status}; run \`workbay start ${workspace.name}\` first`);
    }
    if (this.open >= (this.o.maxSessions ?? MAX_SESSIONS)) throw new WorkbayError('workspace.conflict', 'too many attach sessions are open on this control plane; try again later');
    return { workspace, actor };
  }

  /** Starts what the start frame asks for; the returned session's `done` ends the bookkeeping. */
  async start(t: AttachTicket, start: StartFrame, io: AttachIO): Promise<BrokeredSession> {
    const id = ulid();
    const ws = t.workspace;
    const driver = await this.driverFor(ws);
    this.open++;
    let session: AttachSession;
    try {
      if (!driver.attach) throw new WorkbayError('driver.failed', `the ${driver.kind} driver cannot attach`);
      const user = start.mode === 'sshd' ? (await driver.connection(driverWorkspace(ws))).user : undefined;
      session = await driver.attach(driverWorkspace(ws), attachPlan(start, user, id), io);
    } catch (err) {
      this.open--;
      await driver.close?.().catch(() => undefined);
      throw err;
    }
    this.o.log?.({ level: 'info', msg: 'attach session started', workspaceId: ws.id, owner: ws.owner, session: id, mode: start.mode });
    // Who attached is audit material: attaching is as strong as exec.
    void this.service.event(ws, 'workspace.attached', `attach session opened (${start.mode})`, t.actor.owner, { mode: start.mode, session: id }).catch(() => undefined);
    const touch = () => this.touch(ws.id);
    void touch();
    const timer = setInterval(touch, this.o.activityEveryMs ?? ACTIVITY_EVERY_MS);
    timer.unref();
    const finished = (code?: number) => {
      clearInterval(timer);
      this.open--;
      // No final activity write: at shutdown the store may already be closed.
      void driver.close?.().catch(() => undefined);
      this.o.log?.({ level: 'info', msg: 'attach session ended', workspaceId: ws.id, session: id, ...(code === undefined ? {} : { exitCode: code }) });
    };
    session.done.then(finished, () => finished());
    return { ...session, id };
  }

  private async touch(id: string): Promise<void> {
    try {
      const fresh = await this.store.workspaces.get(id);
      if (fresh) await recordActivity(this.store, fresh, 'exec');
    } catch {
      // Bookkeeping: a failed write must not end the session.
    }
  }
}
