import { posix } from 'node:path';
import { ulid } from 'ulid';
import type { DevcontainerConfig } from '../../lib/config';
import { ACTIVITY_FILE, resolveDevcontainer, type ConnectionInfo, type Driver, type DriverWorkspace, type ExecResult, type Observed, type Progress } from '../../lib/drivers';
import { CREATE_HOOKS, MARKER_DIR, ONCE, runHookStages, type HookSet } from '../../lib/drivers/lifecycle';
import { WorkbayError } from '../../lib/errors';
import { DEFAULT_POLICY } from '../../lib/policy';
import { runInMemory, type MemoryFile } from './memory-shell';

/** What a container keeps of its devcontainer.json, as the real drivers keep it in a label. */
interface Runtime { workspaceFolder: string; env: Record<string, string>; hooks: HookSet; keepAlive: boolean }

/** One workspace container as the in-memory engine holds it: files, log and state survive stop and start. */
export class MemoryContainer {
  running = false;
  exitCode?: number;
  readonly files = new Map<string, MemoryFile>();
  readonly log: string[] = [];
  starts = 0;
  constructor(readonly id: string, readonly runtime: Runtime) {}

  /** mtime of /tmp/devpod.activity (DevPod's activity file); setting it is a `touch` inside. */
  get activity(): Date | undefined { return this.files.get(ACTIVITY_FILE)?.mtime; }
  set activity(when: Date | undefined) {
    if (when) this.files.set(ACTIVITY_FILE, { content: this.files.get(ACTIVITY_FILE)?.content ?? '', mtime: when });
    else this.files.delete(ACTIVITY_FILE);
  }
}

/** Options of the in-memory engine. */
export interface MemoryEngineOptions {
  /** Images the engine has or can pull; absent = every reference pulls. */
  images?: string[];
}

/**
 * An in-memory engine and its driver: the Driver contract without Docker (test/contract/memory.test.ts
 * runs the shared suite against it). devcontainer.json is resolved and hooks are run by the real
 * code (lib/drivers/devcontainer, lib/drivers/lifecycle); only processes are simulated, by a tiny
 * shell (memory-shell.ts) that refuses what it cannot run. The run-once wrapper (ONCE) is honoured
 * natively: run when the marker does not hold the stamp, marker written on success. Tests act on the
 * engine "outside workbay" through `stopOutside`, `remove` and `startOutside`.
 */
export class MemoryEngine {
  readonly containers = new Map<string, MemoryContainer>();
  readonly calls: { verb: string; id: string }[] = [];
  /** When set, every verb fails as an unreachable engine would. */
  unreachable = false;

  constructor(private readonly opts: MemoryEngineOptions = {}) {}

  driver(): Driver {
    const engine = this;
    const call = (verb: string, ws: DriverWorkspace) => {
      engine.calls.push({ verb, id: ws.id });
      if (engine.unreachable) throw new WorkbayError('driver.unreachable', 'the in-memory engine is unreachable');
    };
    const get = (ws: DriverWorkspace) => engine.containers.get(ws.id);
    return {
      kind: 'docker',
      policy: DEFAULT_POLICY,
      async find(ws) { call('find', ws); const c = get(ws); return c && observed(c); },
      async create(ws, progress) {
        call('create', ws);
        const c = get(ws) ?? engine.make(ws);
        return engine.boot(c, progress);
      },
      async start(ws, progress) {
        call('start', ws);
        const c = get(ws);
        if (!c) throw new WorkbayError('driver.failed', 'the workspace container does not exist; recreate the workspace');
        return engine.boot(c, progress);
      },
      async stop(ws) { call('stop', ws); const c = get(ws); if (c?.running) { c.running = false; c.exitCode = 0; } },
      async delete(ws) { call('delete', ws); engine.containers.delete(ws.id); },
      async exec(ws, argv, opts = {}): Promise<ExecResult> {
        call('exec', ws);
        const c = get(ws);
        if (!c?.running) throw new WorkbayError('workspace.notRunning', 'the workspace is not running; start it first (or pass ?autostart=true)');
        return run(c, argv, { env: opts.env, cwd: opts.workingDir, timeoutMs: opts.timeoutMs });
      },
      async lastActivity(ws) { call('lastActivity', ws); const c = get(ws); return c?.running ? c.activity : undefined; },
      async logs(ws, opts) { call('logs', ws); return get(ws)?.log.slice(-(opts.tail ?? 500)).join('\n') ?? ''; },
      async connection(ws): Promise<ConnectionInfo> {
        call('connection', ws);
        const folder = get(ws)?.runtime.workspaceFolder ?? `/workspaces/${ws.name}`;
        return { attach: ['memory', 'exec', '-w', folder, ws.id, 'sh'], workspaceFolder: folder, ports: [], env: {} };
      },
    };
  }

  /** A new container for `ws`: its devcontainer.json resolved, its image present (or pullable). */
  private make(ws: DriverWorkspace): MemoryContainer {
    const r = resolveDevcontainer(ws, ws.devcontainer);
    const image = r.config.image ?? ('image' in ws.source ? ws.source.image : undefined);
    if (image && this.opts.images && !this.opts.images.includes(image)) {
      throw new WorkbayError('driver.imageUnavailable', `image "${image}" is not on the engine and could not be pulled: not found in the in-memory engine`);
    }
    const c = new MemoryContainer(ulid(), runtimeOf(r.config, r.workspaceFolder));
    this.containers.set(ws.id, c);
    return c;
  }

  /** Starts the container if needed and runs the hooks that are due, as the real drivers' boot does. */
  private async boot(c: MemoryContainer, progress: Progress): Promise<Observed> {
    if (!c.running) {
      c.running = true;
      c.exitCode = undefined;
      c.starts++;
      // The keep-alive command (lib/drivers/lifecycle KEEPALIVE) says so and creates the activity file.
      if (c.runtime.keepAlive) { c.log.push('Container started'); c.activity = new Date(); }
    }
    const markers = new Map([...c.files].filter(([p]) => posix.dirname(p) === MARKER_DIR).map(([p, f]) => [posix.basename(p), f.content]));
    const ctx = { exec: (argv: string[]) => run(c, argv, {}), progress, markers };
    for (const hook of CREATE_HOOKS) await runHookStages(ctx, hook, c.runtime.hooks, c.id);
    await runHookStages(ctx, 'postStartCommand', c.runtime.hooks, `${c.id}-start-${c.starts}`);
    return observed(c);
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

function runtimeOf(config: DevcontainerConfig, workspaceFolder: string): Runtime {
  const env: Record<string, string> = { ...config.containerEnv };
  for (const [k, v] of Object.entries(config.remoteEnv ?? {})) {
    if (v === null) delete env[k]; else env[k] = v;
  }
  const hooks: HookSet = {};
  for (const h of [...CREATE_HOOKS, 'postStartCommand'] as const) if (config[h]) hooks[h] = config[h];
  return { workspaceFolder, env, hooks, keepAlive: config.overrideCommand !== false };
}

function observed(c: MemoryContainer): Observed {
  return {
    state: c.running ? 'running' : 'stopped', ref: { container: c.id }, workspaceFolder: c.runtime.workspaceFolder,
    ...(c.running ? {} : { exitCode: c.exitCode ?? 0 }),
  };
}

/** One process in the container: the run-once wrapper natively, everything else through the tiny shell. */
async function run(c: MemoryContainer, argv: string[], o: { env?: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<ExecResult> {
  const ctx = { files: c.files, env: { ...c.runtime.env, ...o.env }, cwd: o.cwd ?? c.runtime.workspaceFolder, timeoutMs: o.timeoutMs };
  if (argv[2] === ONCE) {
    const [marker = '', stamp = '', ...rest] = argv.slice(4);
    const path = posix.join(MARKER_DIR, marker);
    if (c.files.get(path)?.content === stamp) return { exitCode: 0, stdout: '', stderr: '' };
    const r = await runInMemory(rest, ctx);
    if (r.exitCode === 0) c.files.set(path, { content: stamp, mtime: new Date() });
    return r;
  }
  return runInMemory(argv, ctx);
}
