import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { queryBool } from './query';

/** What to run, from the exec query string. */
export interface ExecParams {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Where the process output goes. */
export interface ExecSink {
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
}

/** A running `docker exec`. */
export interface ExecSession {
  write(data: Buffer): void;
  endStdin(): void;
  resize(width: number, height: number): void;
  /** Resolves with the exit code after all output was passed to the sink. */
  done: Promise<number>;
  /** Drops the connection to the process (the client went away). */
  abort(): void;
}

function demux(sink: ExecSink): (chunk: Buffer) => void {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) return;
      const payload = buf.subarray(8, 8 + size);
      if (buf[0] === 2) sink.stderr(payload);
      else sink.stdout(payload);
      buf = buf.subarray(8 + size);
    }
  };
}

/** Starts `docker exec` in a container (hijacked stream, demultiplexed unless it is a TTY); exit code from inspect. */
export async function startExec(docker: Docker, containerId: string, p: ExecParams, sink: ExecSink): Promise<ExecSession> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: p.command, AttachStdin: p.stdin, AttachStdout: p.stdout, AttachStderr: p.stderr, Tty: p.tty,
  });
  const stream = (await exec.start({ hijack: true, stdin: p.stdin, Tty: p.tty })) as Duplex;
  const onData = p.tty ? (c: Buffer) => sink.stdout(c) : demux(sink);
  stream.on('data', onData);
  const done = new Promise<number>((resolve) => {
    let finished = false;
    const finish = async (): Promise<void> => {
      if (finished) return;
      finished = true;
      for (let i = 0; i < 50; i++) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return resolve(1);
        if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return resolve(info.ExitCode);
        await new Promise((r) => setTimeout(r, 50));
      }
      resolve(1);
    };
    stream.on('end', () => void finish());
    stream.on('close', () => void finish());
    stream.on('error', () => void finish());
  });
  return {
    write: (data) => {
      if (p.stdin && !stream.writableEnded) stream.write(data);
    },
    endStdin: () => {
      if (p.stdin && !stream.writableEnded) stream.end();
    },
    resize: (width, height) => {
      if (p.tty) void exec.resize({ w: width, h: height }).catch(() => undefined);
    },
    done,
    abort: () => stream.destroy(),
  };
}

/** Parses the exec query string (`command` repeated, `stdin`, `stdout`, `stderr`, `tty`). */
export function execParams(query: URLSearchParams): ExecParams {
  const flag = (k: string): boolean => queryBool(query, k);
  return { command: query.getAll('command'), stdin: flag('stdin'), stdout: flag('stdout'), stderr: flag('stderr'), tty: flag('tty') };
}

/** The v1 Status the exec error channel carries for an exit code. */
export function exitStatus(exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command, exit code ${exitCode}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}
