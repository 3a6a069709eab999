import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { remoteEnvOf, type RuntimeMeta } from '../devcontainer';
import type { AttachIO, AttachOptions, AttachSession } from '../driver';
import { cleanupArgv, demuxer, runPostAttach, trackedArgv } from '../attach-shell';
import { engine } from './errors';
import { execIn } from './exec';

/** How long to wait for the engine to report an exec finished after its stream ended. */
const EXIT_POLL = { tries: 40, ms: 50 };

const envList = (env: Record<string, string>) => Object.entries(env).map(([k, v]) => `${k}=${v}`);

/**
 * Starts an interactive exec in a running container: a hijacked stream carries stdin and output
 * (multiplexed unless it is a TTY), resize goes through the exec's resize call, and the exit code
 * comes from inspecting the exec once the stream ends.
 */
export async function attachContainer(c: Docker.Container, meta: RuntimeMeta, opts: AttachOptions, io: AttachIO): Promise<AttachSession> {
  const user = opts.user ?? meta.user;
  const workingDir = opts.workingDir ?? meta.workspaceFolder;
  const env = { ...remoteEnvOf(meta), ...opts.env, ...(opts.tty ? { TERM: opts.env?.TERM ?? 'xterm-256color' } : {}) };
  if (opts.postAttach) {
    await runPostAttach((argv) => execIn(c, argv, { user: meta.user, workingDir: meta.workspaceFolder, env: remoteEnvOf(meta) }), meta, io);
  }
  const tracked = trackedArgv(opts.argv, opts.tty ? opts : undefined);
  const exec = await engine('creating an exec', () => c.exec({
    Cmd: tracked.argv, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: opts.tty,
    Env: envList(env), ...(user ? { User: user } : {}), ...(workingDir ? { WorkingDir: workingDir } : {}),
  }));
  const stream = (await engine('starting an exec', () => exec.start({ hijack: true, stdin: true, Tty: opts.tty }))) as Duplex;
  stream.on('data', opts.tty ? (d: Buffer) => io.stdout(d) : demuxer(io));
  const resize = (cols: number, rows: number) => void exec.resize({ w: cols, h: rows }).catch(() => undefined);
  if (opts.tty && opts.cols && opts.rows) resize(opts.cols, opts.rows);
  let aborted = false;
  const done = new Promise<number>((resolve) => {
    let finished = false;
    const finish = async () => {
      if (finished) return;
      finished = true;
      for (let i = 0; i < EXIT_POLL.tries; i++) {
        const info = await exec.inspect().catch(() => undefined);
        if (info && !info.Running) {
          if (!aborted) void execIn(c, cleanupArgv(tracked.pidFile), { user: '0' }).catch(() => undefined);
          return resolve(info.ExitCode ?? 255);
        }
        if (!info) break;
        await new Promise((r) => setTimeout(r, EXIT_POLL.ms));
      }
      resolve(255);
    };
    stream.once('end', finish);
    stream.once('close', finish);
    // Persistent: a write after the engine closed emits more errors, and an unheard one would crash.
    stream.on('error', () => void finish());
  });
  return {
    write: (data) => stream.write(data),
    drained: () => new Promise((r) => (stream.writableNeedDrain ? stream.once('drain', () => r()) : r())),
    endStdin: () => stream.end(),
    resize,
    pause: () => stream.pause(),
    resume: () => stream.resume(),
    done,
    abort: async () => {
      if (aborted) return;
      aborted = true;
      await execIn(c, tracked.kill, { user: '0' }).catch(() => undefined);
      stream.destroy();
    },
  };
}
