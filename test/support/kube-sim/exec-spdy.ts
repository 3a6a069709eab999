import type Docker from 'dockerode';
import type { Duplex } from 'node:stream';
import { exitStatus, startExec, type ExecParams, type ExecSession } from './docker-exec';
import { SpdySession, type SpdyStream } from './spdy';

/** Remote-command protocols offered over SPDY (`X-Stream-Protocol-Version`), most preferred first. */
export const SPDY_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/**
 * Runs `docker exec` behind the SPDY/3.1 remote-command protocol (kubectl ≤ 1.29): the client opens an `error`
 * stream and one stream per requested stdio (`streamtype` header), plus `resize` with a TTY.
 */
export function serveExecSpdy(socket: Duplex, protocol: string, docker: Docker, containerId: string, params: ExecParams, open: Set<Duplex>): void {
  open.add(socket);
  socket.on('close', () => open.delete(socket));
  const spdy = new SpdySession(socket);
  const streams = new Map<string, SpdyStream>();
  const resize = params.tty && (protocol === 'v4.channel.k8s.io' || protocol === 'v3.channel.k8s.io');
  const expected = 1 + Number(params.stdin) + Number(params.stdout) + Number(params.stderr && !params.tty) + Number(resize);
  let session: ExecSession | undefined;
  let started = false;
  const early: Array<(s: ExecSession) => void> = [];
  const withSession = (fn: (s: ExecSession) => void): void => (session ? fn(session) : void early.push(fn));
  // Without a reply from the client the connection would linger; the client normally closes it first.
  const linger = (): void => void setTimeout(() => spdy.destroy(), 10_000).unref();

  const start = (): void => {
    started = true;
    const out = streams.get('stdout');
    const err = streams.get('stderr') ?? out;
    const errorStream = streams.get('error')!;
    startExec(docker, containerId, params, { stdout: (d) => out?.write(d), stderr: (d) => err?.write(d) })
      .then(async (s) => {
        session = s;
        for (const fn of early.splice(0)) fn(s);
        const code = await s.done;
        out?.end();
        if (streams.get('stderr')) streams.get('stderr')!.end();
        const status = exitStatus(code);
        if (protocol === 'v4.channel.k8s.io') errorStream.write(Buffer.from(JSON.stringify(status)));
        else if (code !== 0) errorStream.write(Buffer.from(String(status.message)));
        errorStream.end();
        linger();
      })
      .catch((e: Error) => {
        const message = (e as { json?: { message?: string } }).json?.message ?? e.message;
        errorStream.write(Buffer.from(protocol === 'v4.channel.k8s.io' ? JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 }) : message));
        out?.end();
        errorStream.end();
        linger();
      });
  };

  spdy.onStream = (stream) => {
    const type = stream.headers.get('streamtype') ?? '';
    streams.set(type, stream);
    if (type === 'stdin') {
      stream.onData = (d) => withSession((s) => s.write(d));
      stream.onEnd = () => withSession((s) => s.endStdin());
    } else if (type === 'resize') {
      let pending = '';
      stream.onData = (d) => {
        pending += d.toString('utf8');
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          try {
            const size = JSON.parse(line) as { Width?: number; Height?: number };
            withSession((s) => s.resize(size.Width ?? 80, size.Height ?? 24));
          } catch {
            // ignore malformed sizes
          }
        }
      };
    }
    if (!started && streams.size >= expected && streams.has('error')) start();
  };
  spdy.onClose = () => {
    session?.abort();
    socket.destroy();
  };
}
