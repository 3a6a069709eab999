import WebSocket from 'ws';
import { ATTACH_PROTOCOL, CHANNEL } from '../../lib/attach/protocol';

/** What one attach session showed: output per channel, control frames, the close. */
export interface AttachRun {
  sock: WebSocket;
  stdout: () => string;
  stderr: () => string;
  controls: Array<Record<string, unknown>>;
  /** The exit frame's code, or undefined when the stream closed without one. */
  closed: Promise<{ exit?: number; closeCode: number }>;
  send(text: string): void;
  control(m: Record<string, unknown>): void;
}

/** Refused upgrades: status and problem body. */
export interface Refused { status: number; body: any }

/** Opens an attach WebSocket as a plain client would (token in a header, or as a bearer subprotocol). */
export function attachTo(baseUrl: string, id: string, o: { token?: string; protocolToken?: string; start?: Record<string, unknown> }): Promise<AttachRun | Refused> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/v1/workspaces/${id}/attach`;
  const protocols = [ATTACH_PROTOCOL, ...(o.protocolToken ? [`bearer.${o.protocolToken}`] : [])];
  const sock = new WebSocket(url, protocols, { headers: o.token ? { authorization: `Bearer ${o.token}` } : {} });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const controls: Array<Record<string, unknown>> = [];
    let exit: number | undefined;
    const closed = new Promise<{ exit?: number; closeCode: number }>((r) => sock.on('close', (closeCode) => r({ exit, closeCode })));
    sock.on('message', (raw: Buffer, isBinary) => {
      if (isBinary) {
        if (raw[0] === CHANNEL.stdout) out += raw.subarray(1).toString();
        else if (raw[0] === CHANNEL.stderr) err += raw.subarray(1).toString();
        return;
      }
      const m = JSON.parse(raw.toString()) as Record<string, unknown>;
      controls.push(m);
      if (m.type === 'exit') exit = m.code as number;
    });
    sock.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body ? JSON.parse(body) : undefined }));
    });
    sock.on('error', (e) => reject(e));
    sock.on('open', () => {
      if (o.start) sock.send(JSON.stringify(o.start));
      resolve({
        sock, stdout: () => out, stderr: () => err, controls, closed,
        send: (text) => sock.send(Buffer.concat([Buffer.from([CHANNEL.stdin]), Buffer.from(text)])),
        control: (m) => sock.send(JSON.stringify(m)),
      });
    });
  });
}

/** Waits until `check` holds (polling), or fails with what was last seen. */
export async function eventually<T>(what: string, get: () => T | Promise<T>, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  let v = await get();
  while (!check(v)) {
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 150));
    v = await get();
  }
  return v;
}
