import { ulid } from 'ulid';
import type { AttachIO, ExecResult } from './driver';
import { killByPidFile } from './output';
import { runAttachHook, type HookSet } from './lifecycle';

/**
 * An attached process with a pid file, so it can be ended when its client goes away: neither the
 * Docker Engine API nor Kubernetes exec can kill what they started, and closing a non-TTY stream
 * leaves a command that ignores stdin running.
 */
export function trackedArgv(argv: string[], size?: { cols?: number; rows?: number }): { argv: string[]; pidFile: string; kill: string[] } {
  const pidFile = `/tmp/.workbay-attach-${ulid()}`;
  // The terminal size is set before the command starts: a resize through the engine API can land
  // after the shell has already read the size (and fails before the exec runs).
  const cols = size?.cols && size.rows ? String(Math.floor(size.cols)) : '-';
  const rows = size?.cols && size.rows ? String(Math.floor(size.rows)) : '-';
  return {
    argv: ['/bin/sh', '-c', `echo $$ > ${pidFile}; [ "$1" = - ] || stty cols "$1" rows "$2" 2>/dev/null; shift 2; exec "$@"`, 'sh', cols, rows, ...argv],
    pidFile,
    kill: ['/bin/sh', '-c', killByPidFile(pidFile)],
  };
}

/** Removes the pid file after a normal exit (best effort). */
export const cleanupArgv = (pidFile: string) => ['rm', '-f', pidFile];

/**
 * Runs `postAttachCommand` on every attach, as the reference CLI does: what the image's metadata and
 * Features contribute first, then the config's own (lib/drivers/lifecycle.ts runAttachHook). A failure
 * is shown on the session's stderr and does not block the attach.
 */
export async function runPostAttach(exec: (argv: string[]) => Promise<ExecResult>, hooks: HookSet, io: AttachIO): Promise<void> {
  if (!hooks.postAttachCommand?.length && !hooks.contributed?.postAttachCommand?.length) return;
  try {
    await runAttachHook(exec, hooks);
  } catch (err) {
    io.stderr(Buffer.from(`workbay: ${(err as Error).message}\r\n`));
  }
}

/** Splits Docker's multiplexed (non-TTY) stream into stdout and stderr frames. */
export function demuxer(io: AttachIO): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) return;
      const payload = buf.subarray(8, 8 + size);
      if (buf[0] === 2) io.stderr(payload);
      else io.stdout(payload);
      buf = buf.subarray(8 + size);
    }
  };
}
