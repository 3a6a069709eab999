import type { ConnectionInfo, Driver, DriverWorkspace, ExecResult, Observed } from '../../lib/drivers';
import { WorkbayError } from '../../lib/errors';

/** One workspace as the in-memory engine holds it. */
interface MemoryContainer { running: boolean; exitCode?: number; files: Map<string, string>; activity?: Date; log: string[] }

/**
 * An in-memory engine and its driver, for reconciler, sweeper and lease tests that need no Docker.
 * It honours the Driver contract's semantics (idempotent verbs, find → undefined when missing,
 * create adopts) but runs no processes: exec understands only `cat <file>` and `true`. Tests act
 * on the engine "outside workbay" through `stopOutside`, `remove` and `startOutside`.
 */
export class MemoryEngine {
  readonly containers = new Map<string, MemoryContainer>();
  readonly calls: { verb: string; id: string }[] = [];
  /** When set, every verb fails as an unreachable engine would. */
  unreachable = false;

  driver(): Driver {
    const engine = this;
    const call = (verb: string, ws: DriverWorkspace) => {
      engine.calls.push({ verb, id: ws.id });
      if (engine.unreachable) throw new WorkbayError('driver.unreachable', 'the in-memory engine is unreachable');
    };
    const observed = (ws: DriverWorkspace, c: MemoryContainer): Observed => ({
      state: c.running ? 'running' : 'stopped', ref: { container: ws.id }, workspaceFolder: '/workspaces/memory',
      ...(c.running ? {} : { exitCode: c.exitCode ?? 0 }),
    });
    return {
      kind: 'docker',
      async find(ws) { call('find', ws); const c = engine.containers.get(ws.id); return c && observed(ws, c); },
      async create(ws) {
        call('create', ws);
        const c: MemoryContainer = engine.containers.get(ws.id) ?? { running: false, files: new Map(), log: [] };
        c.running = true;
        c.activity = new Date();
        engine.containers.set(ws.id, c);
        return observed(ws, c);
      },
      async start(ws) {
        call('start', ws);
        const c = engine.containers.get(ws.id);
        if (!c) throw new WorkbayError('driver.failed', 'no such container');
        c.running = true;
        c.activity = new Date();
        return observed(ws, c);
      },
      async stop(ws) { call('stop', ws); const c = engine.containers.get(ws.id); if (c) { c.running = false; c.exitCode = 0; } },
      async delete(ws) { call('delete', ws); engine.containers.delete(ws.id); },
      async exec(ws, argv): Promise<ExecResult> {
        call('exec', ws);
        const c = engine.containers.get(ws.id);
        if (!c?.running) throw new WorkbayError('workspace.notRunning', 'not running');
        if (argv[0] === 'cat' && argv[1]) return c.files.has(argv[1]) ? { exitCode: 0, stdout: c.files.get(argv[1])!, stderr: '' } : { exitCode: 1, stdout: '', stderr: 'No such file' };
        return { exitCode: argv[0] === 'true' ? 0 : 127, stdout: '', stderr: '' };
      },
      async lastActivity(ws) { call('lastActivity', ws); const c = engine.containers.get(ws.id); return c?.running ? c.activity : undefined; },
      async logs(ws) { call('logs', ws); return engine.containers.get(ws.id)?.log.join('\n') ?? ''; },
      async connection(ws): Promise<ConnectionInfo> { call('connection', ws); return { attach: ['memory', ws.id], workspaceFolder: '/workspaces/memory', ports: [], env: {} }; },
    };
  }

  stopOutside(id: string, exitCode: number, logLine?: string): void {
    const c = this.containers.get(id)!;
    c.running = false;
    c.exitCode = exitCode;
    if (logLine) c.log.push(logLine);
  }

  startOutside(id: string): void { this.containers.get(id)!.running = true; }

  remove(id: string): void { this.containers.delete(id); }

  /** Verbs the driver was asked for, optionally for one workspace. */
  verbs(id?: string): string[] { return this.calls.filter((c) => !id || c.id === id).map((c) => c.verb); }
}
