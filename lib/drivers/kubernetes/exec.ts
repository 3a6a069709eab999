import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { ulid } from 'ulid';
import type { ExecResult } from '../driver';
import { killByPidFile, outputCollector } from '../output';
import { translateKube } from './errors';

function exitCodeOf(status: V1Status | undefined): number {
  if (!status || status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message ? Number(cause.message) : 1;
}

async function run(kc: KubeConfig, ns: string, pod: string, container: string, argv: string[], out: Writable, err: Writable, stdin: Readable | null): Promise<number> {
  let status: V1Status | undefined;
  let ws;
  try {
    ws = await new Exec(kc).exec(ns, pod, container, argv, out, err, stdin, false, (s) => { status = s; });
  } catch (e) {
    throw translateKube(e, 'starting an exec');
  }
  await new Promise<void>((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    ws.on('close', () => resolve());
    ws.on('error', () => resolve());
  });
  return exitCodeOf(status);
}

async function once(kc: KubeConfig, ns: string, pod: string, container: string, argv: string[]): Promise<ExecResult> {
  const out = outputCollector();
  const err = outputCollector();
  const exitCode = await run(kc, ns, pod, container, argv, out.stream, err.stream, null);
  return { exitCode, stdout: out.value(), stderr: err.value() };
}

/**
 * Runs argv with `stdin` as its input (ended after the last byte, v5 close signal) and keeps stdout
 * as bytes, up to `maxBytes` (more is an error, not a silent cut): for moving files in and out of a
 * helper pod without a shell-quoted payload.
 */
export async function podExecBytes(kc: KubeConfig, ns: string, pod: string, container: string, argv: string[], opts: { stdin?: Buffer; maxBytes?: number } = {}): Promise<{ exitCode: number; stdout: Buffer; stderr: string; overflow: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let overflow = false;
  const out = new PassThrough();
  out.on('data', (d: Buffer) => {
    size += d.length;
    if (size > (opts.maxBytes ?? Infinity)) overflow = true;
    else chunks.push(d);
  });
  const err = outputCollector();
  const exitCode = await run(kc, ns, pod, container, argv, out, err.stream, opts.stdin ? Readable.from([opts.stdin]) : null);
  return { exitCode, stdout: Buffer.concat(chunks), stderr: err.value(), overflow };
}

/**
 * Runs argv in the pod's container over the exec WebSocket and returns its exit code (channel 3
 * status). With a timeout the command records its pid so it can be killed: closing the socket
 * would leave it running.
 */
export async function podExec(kc: KubeConfig, ns: string, pod: string, container: string, argv: string[], opts: { timeoutMs?: number; env?: Record<string, string>; workingDir?: string } = {}): Promise<ExecResult> {
  const envArgs = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const pidFile = `/tmp/.workbay-exec-${ulid()}`;
  const needsShell = envArgs.length || opts.workingDir || opts.timeoutMs;
  const cmd = needsShell
    ? ['/bin/sh', '-c', `${opts.timeoutMs ? `echo $$ > ${pidFile}; ` : ''}${opts.workingDir ? 'cd "$1" || exit 126; ' : ''}shift; exec env "$@"`, 'sh', opts.workingDir ?? '', ...envArgs, ...argv]
    : argv;
  if (!opts.timeoutMs) return once(kc, ns, pod, container, cmd);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ExecResult>((resolve) => {
    timer = setTimeout(() => {
      void once(kc, ns, pod, container, ['/bin/sh', '-c', killByPidFile(pidFile)]).catch(() => undefined);
      resolve({ exitCode: 124, stdout: '', stderr: `[workbay: killed after ${opts.timeoutMs} ms]`, timedOut: true });
    }, opts.timeoutMs);
  });
  try {
    return await Promise.race([once(kc, ns, pod, container, cmd), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
