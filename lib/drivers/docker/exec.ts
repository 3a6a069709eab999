import type Docker from 'dockerode';
import { ulid } from 'ulid';
import type { ExecOptions, ExecResult } from '../driver';
import { killByPidFile, outputCollector } from '../output';
import { engine } from './errors';

/**
 * Runs argv in a running container and returns its exit code and output. With a timeout the command
 * runs under a tiny sh wrapper that records its pid, so it can be killed: the Engine API cannot kill
 * an exec.
 */
export async function execIn(container: Docker.Container, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const pidFile = `/tmp/.workbay-exec-${ulid()}`;
  const cmd = opts.timeoutMs ? ['/bin/sh', '-c', `echo $$ > ${pidFile}; exec "$@"`, 'sh', ...argv] : argv;
  const exec = await engine('creating an exec', () => container.exec({
    Cmd: cmd, AttachStdout: true, AttachStderr: true, AttachStdin: false, Tty: false,
    ...(opts.user ? { User: opts.user } : {}),
    ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
    ...(opts.env ? { Env: Object.entries(opts.env).map(([k, v]) => `${k}=${v}`) } : {}),
  }));
  const stream = await engine('starting an exec', () => exec.start({ hijack: true, stdin: false }));
  const out = outputCollector();
  const err = outputCollector();
  container.modem.demuxStream(stream, out.stream, err.stream);
  let timedOut = false;
  const done = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs) {
    timer = setTimeout(() => {
      timedOut = true;
      void killExec(container, pidFile).finally(() => stream.destroy());
    }, opts.timeoutMs);
  }
  await done;
  if (timer) clearTimeout(timer);
  if (timedOut) {
    return { exitCode: 124, stdout: out.value(), stderr: `${err.value()}\n[workbay: killed after ${opts.timeoutMs} ms]`.trimStart(), timedOut: true };
  }
  const info = await engine('reading an exec result', () => exec.inspect());
  if (opts.timeoutMs) void container.exec({ Cmd: ['rm', '-f', pidFile], User: '0' }).then((e) => e.start({ Detach: true })).catch(() => undefined);
  return { exitCode: info.ExitCode ?? -1, stdout: out.value(), stderr: err.value() };
}

async function killExec(container: Docker.Container, pidFile: string): Promise<void> {
  try {
    const e = await container.exec({ Cmd: ['/bin/sh', '-c', killByPidFile(pidFile)], User: '0' });
    await e.start({ Detach: true });
  } catch { /* the stream is destroyed anyway */ }
}
