import type { ConnectionInfo, ExecResult } from '../drivers';
import { WorkbayError } from '../errors';
import type { Store, WorkspaceRecord } from '../store';
import { recordActivity } from './activity';
import { withDriver, type DriverFor } from './drivers';
import type { Actor, WorkspaceService } from './service';

/** An exec request as the API validated it. */
export interface ExecInput {
  command: string | string[];
  user?: string;
  timeoutSeconds?: number;
}

const AUTOSTART_WAIT_MS = 180_000;

/** Operations on a running workspace: exec, heartbeat, logs, connection info. */
export class WorkspaceOps {
  constructor(private readonly store: Store, private readonly service: WorkspaceService, private readonly driverFor: DriverFor) {}

  /** Waits until the workspace reaches its desired state (gone, for a delete), fails, or `ms` pass. */
  async waitSettled(actor: Actor, id: string, ms: number): Promise<WorkspaceRecord | undefined> {
    const until = Date.now() + ms;
    let ws: WorkspaceRecord | undefined = await this.service.get(actor, id);
    while (ws && ws.desiredState !== ws.status && ws.status !== 'Error' && Date.now() < until) {
      const written = await this.service.changes.wait(id, 250);
      // The record this process just wrote is the latest (its owner does not change): no read back.
      ws = written?.id === id ? written : await this.service.get(actor, id).catch(() => undefined); // gone (a delete finished)
    }
    return ws;
  }

  private async running(actor: Actor, id: string, autostart: boolean): Promise<WorkspaceRecord> {
    let ws = await this.service.get(actor, id);
    if (ws.status === 'Running') return ws;
    // A failed lifecycle hook leaves its container up: the user must be able to look at what went
    // wrong. The driver still refuses when the container is not running.
    if (ws.status === 'Error' && ws.desiredState === 'Running') return ws;
    if (!autostart) {
      throw new WorkbayError('workspace.notRunning', `workspace ${ws.name} is ${ws.status}; start it first or pass ?autostart=true`);
    }
    await this.service.setDesired(actor, id, 'Running');
    ws = (await this.waitSettled(actor, id, AUTOSTART_WAIT_MS)) ?? ws;
    if (ws.status !== 'Running') {
      throw new WorkbayError('workspace.notRunning', `workspace ${ws.name} did not start: ${ws.statusReason ?? ws.status}`);
    }
    return ws;
  }

  /** Runs a command (argv, or a string through `sh -c` inside the workspace) and counts it as activity. */
  async exec(actor: Actor, id: string, input: ExecInput, opts: { autostart?: boolean } = {}): Promise<ExecResult> {
    const ws = await this.running(actor, id, opts.autostart ?? false);
    const argv = typeof input.command === 'string' ? ['/bin/sh', '-c', input.command] : input.command;
    return withDriver(this.driverFor, ws, async (driver, dws) => {
      const result = await driver.exec(dws, argv, {
        ...(input.user ? { user: input.user } : {}), ...(input.timeoutSeconds ? { timeoutMs: input.timeoutSeconds * 1000 } : {}),
      });
      await recordActivity(this.store, ws, 'exec');
      return result;
    });
  }

  /** An API heartbeat (IDE plugins, bots). */
  async heartbeat(actor: Actor, id: string): Promise<WorkspaceRecord> {
    const ws = await this.service.get(actor, id);
    if (ws.status !== 'Running') throw new WorkbayError('workspace.notRunning', `workspace ${ws.name} is ${ws.status}`);
    return recordActivity(this.store, ws, 'api');
  }

  async logs(actor: Actor, id: string, tail: number): Promise<string> {
    const ws = await this.service.get(actor, id);
    // An Error during create has no driverRef yet, but may have a container whose logs explain it.
    if (!ws.driverRef && ws.status !== 'Error') return '';
    return withDriver(this.driverFor, ws, (driver, dws) => driver.logs(dws, { tail }));
  }

  async connection(actor: Actor, id: string): Promise<ConnectionInfo> {
    const ws = await this.service.get(actor, id);
    return withDriver(this.driverFor, ws, (driver, dws) => driver.connection(dws));
  }
}
