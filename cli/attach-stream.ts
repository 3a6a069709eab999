import WebSocket from 'ws';
import { ATTACH_PROTOCOL, CHANNEL, MAX_FRAME_BYTES, type StartFrame } from '../lib/attach/protocol';
import { ApiError, UnreachableError } from './http';

/** Where the control plane is and who we are; the token goes in a header, never in the URL. */
export interface StreamTarget {
  baseUrl: string;
  token?: string;
}

/** Where the remote output goes; a returned promise pauses the stream until it settles (backpressure). */
export interface StreamOutput {
  stdout(data: Buffer): void | Promise<void>;
  stderr(data: Buffer): void | Promise<void>;
}

/** Writes to a stream and, when its buffer is full, returns a promise of its drain. */
export function writeTo(w: NodeJS.WritableStream): (data: Buffer) => void | Promise<void> {
  return (data) => (w.write(data) ? undefined : new Promise<void>((r) => w.once('drain', () => r())));
}

/** The client side of one attach session (ADR 0013). */
export interface AttachStream {
  write(data: Buffer): void;
  /** Tells the remote process its stdin ended. */
  eof(): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  close(): void;
  /** The remote exit code; rejects when the session failed or the stream broke. */
  exit: Promise<number>;
}

/** Opens an attach stream to workspace `id` and sends the start frame. */
export function openAttach(target: StreamTarget, id: string, start: StartFrame, out: StreamOutput): Promise<AttachStream> {
  const url = new URL(`/v1/workspaces/${encodeURIComponent(id)}/attach`, target.baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return new Promise((resolve, reject) => {
    const sock = new WebSocket(url, [ATTACH_PROTOCOL], {
      headers: target.token ? { authorization: `Bearer ${target.token}` } : {}, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES,
    });
    let opened = false;
    let settle: { ok: (code: number) => void; fail: (err: Error) => void } | undefined;
    const exit = new Promise<number>((ok, fail) => { settle = { ok, fail }; });
    exit.catch(() => undefined);
    sock.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d; });
      res.on('end', () => {
        let problem: ApiError['problem'] = { detail: body || `HTTP ${res.statusCode}` };
        try { problem = JSON.parse(body) as ApiError['problem']; } catch { /* not JSON */ }
        reject(new ApiError(res.statusCode ?? 500, problem));
      });
    });
    sock.on('error', (err) => {
      if (!opened) reject(new UnreachableError(`cannot open the attach stream at ${target.baseUrl} (${err.message}); set WORKBAY_URL`));
      else settle?.fail(new Error(`the attach stream failed: ${err.message}`));
    });
    sock.on('message', (raw, isBinary) => {
      const data = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (isBinary) {
        const payload = data.subarray(1);
        const wait = data[0] === CHANNEL.stderr ? out.stderr(payload) : out.stdout(payload);
        if (wait) {
          sock.pause();
          void wait.finally(() => sock.resume());
        }
        return;
      }
      let m: { type?: string; code?: number | string; message?: string };
      try { m = JSON.parse(data.toString('utf8')); } catch { return; }
      if (m.type === 'exit' && typeof m.code === 'number') settle?.ok(m.code);
      else if (m.type === 'error') settle?.fail(new Error(`${m.message ?? 'attach failed'}${m.code ? ` (${m.code})` : ''}`));
    });
    sock.on('close', (code, reason) => settle?.fail(new Error(`the attach stream closed before the command ended (${code}${reason.length ? ` ${reason}` : ''})`)));
    sock.on('open', () => {
      opened = true;
      sock.send(JSON.stringify(start));
      const send = (d: Buffer | string) => { if (sock.readyState === WebSocket.OPEN) sock.send(d); };
      const stream: AttachStream = {
        write: (d) => send(Buffer.concat([Buffer.from([CHANNEL.stdin]), d])),
        eof: () => send(JSON.stringify({ type: 'eof' })),
        resize: (cols, rows) => send(JSON.stringify({ type: 'resize', cols, rows })),
        pause: () => sock.pause(),
        resume: () => sock.resume(),
        close: () => sock.close(1000),
        exit,
      };
      resolve(stream);
    });
  });
}
