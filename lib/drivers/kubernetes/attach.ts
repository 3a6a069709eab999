import { PassThrough, Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { remoteEnvOf, type RuntimeMeta } from '../devcontainer';
import type { AttachIO, AttachOptions, AttachSession } from '../driver';
import { cleanupArgv, runPostAttach, trackedArgv } from '../attach-shell';
import { translateKube } from './errors';
import { podExec } from './exec';
import { DEV_CONTAINER } from './names';

/** The resize channel of the Kubernetes exec protocol (channel.k8s.io). */
const RESIZE_CHANNEL = 4;

function exitCodeOf(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}

const sink = (fn: (d: Buffer) => void) => new Writable({ write(chunk: Buffer, _enc, cb) { fn(chunk); cb(); } });

/**
 * Starts an interactive exec in the workspace pod over the exec WebSocket (client-node's Exec):
 * stdin through a stream client-node forwards on channel 0 (with v5's close signal at end of file),
 * resize frames on channel 4, the exit code from the channel 3 Status. Kubernetes exec cannot pick a
 * user, so the session runs as the container's user (runAsUser), like every exec on this driver;
 * environment and folder go through `env` and `cd` as in podExec.
 */
export async function attachPod(kc: KubeConfig, ns: string, pod: V1Pod, meta: RuntimeMeta, opts: AttachOptions, io: AttachIO): Promise<AttachSession> {
  const name = pod.metadata!.name!;
  const run = (argv: string[]) => podExec(kc, ns, name, DEV_CONTAINER, argv);
  if (opts.postAttach) {
    const hook = (argv: string[]) => podExec(kc, ns, name, DEV_CONTAINER, argv, { workingDir: meta.workspaceFolder, env: remoteEnvOf(meta) });
    await runPostAttach(hook, meta, io);
  }
  const env = { ...remoteEnvOf(meta), ...opts.env, ...(opts.tty ? { TERM: opts.env?.TERM ?? 'xterm-256color' } : {}) };
  const workingDir = opts.workingDir ?? meta.workspaceFolder;
  const inner = ['/bin/sh', '-c', 'cd "$1" 2>/dev/null; shift; exec env "$@"', 'sh', workingDir, ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...opts.argv];
  const tracked = trackedArgv(inner, opts.tty ? opts : undefined);
  const stdin = new PassThrough();
  stdin.on('error', () => undefined);
  let status: V1Status | undefined;
  let conn: Awaited<ReturnType<Exec['exec']>>;
  try {
    conn = await new Exec(kc).exec(ns, name, DEV_CONTAINER, tracked.argv, sink(io.stdout), opts.tty ? null : sink(io.stderr), stdin, opts.tty, (s) => { status = s; });
  } catch (e) {
    throw translateKube(e, 'starting an exec');
  }
  const resize = (cols: number, rows: number) => {
    if (conn.readyState === conn.OPEN) conn.send(Buffer.concat([Buffer.from([RESIZE_CHANNEL]), Buffer.from(JSON.stringify({ Width: cols, Height: rows }))]));
  };
  if (opts.tty && opts.cols && opts.rows) resize(opts.cols, opts.rows);
  let aborted = false;
  const done = new Promise<number>((resolve) => {
    const finish = () => {
      if (!aborted) void run(cleanupArgv(tracked.pidFile)).catch(() => undefined);
      resolve(exitCodeOf(status));
    };
    if (conn.readyState === conn.CLOSED) return finish();
    conn.on('close', finish);
    conn.on('error', finish);
  });
  return {
    write: (data) => stdin.write(data),
    drained: () => new Promise((r) => (stdin.writableNeedDrain ? stdin.once('drain', () => r()) : r())),
    endStdin: () => stdin.end(),
    resize,
    pause: () => (conn as unknown as { pause?: () => void }).pause?.(),
    resume: () => (conn as unknown as { resume?: () => void }).resume?.(),
    done,
    abort: async () => {
      if (aborted) return;
      aborted = true;
      await run(tracked.kill).catch(() => undefined);
      conn.close();
    },
  };
}
