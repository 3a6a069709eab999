import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ATTACH_SLOT, type AttachSlot } from './slot';
import { ATTACH_PROTOCOL, BEARER_PROTOCOL_PREFIX, MAX_FRAME_BYTES, offeredProtocols } from './protocol';


/** The app's fetch (hono's `app.fetch`). */
export type AppFetch = (req: Request, env: Record<string, unknown>) => Response | Promise<Response>;

/** The upgrade listener of a node server, and a way to end every open stream at shutdown. */
export interface AttachUpgrades {
  listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  close(): void;
}

/** Paths the upgrade listener takes; everything else is refused before any work. */
const ATTACH_PATH = /^\/v1\/workspaces\/[^/]+\/attach$/;

/**
 * A node `upgrade` listener for the attach stream. The request goes through the whole hono app (auth
 * middleware with its failed-login limit, the route's owner and state checks) as a plain GET; only
 * when the route accepted it is the WebSocket handshake completed. A bearer token offered as a
 * `bearer.<token>` subprotocol becomes the Authorization header and is never echoed back.
 */
export function attachUpgrades(fetch: AppFetch, log?: (e: Record<string, unknown>) => void): AttachUpgrades {
  const wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(ATTACH_PROTOCOL) ? ATTACH_PROTOCOL : false),
  });
  return {
    listener: (req, socket, head) => {
      socket.on('error', () => undefined);
      void handle(req, socket, head).catch((err: unknown) => {
        log?.({ level: 'error', msg: 'attach upgrade failed', error: err instanceof Error ? err.message : String(err) });
        refuse(socket, 500, { 'content-type': 'application/problem+json' }, JSON.stringify({ title: 'Internal Server Error', status: 500, code: 'internal', detail: 'internal error' }));
      });
    },
    // Upgraded sockets keep server.close() waiting; closing them ends their execs (the bridge aborts).
    close: () => { for (const c of wss.clients) c.close(1001, 'control plane shutting down'); },
  };

  async function handle(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://attach.invalid');
    if (req.method !== 'GET' || !ATTACH_PATH.test(url.pathname)) return refuse(socket, 404, {}, '');
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && k !== 'sec-websocket-protocol') headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    }
    const bearer = offeredProtocols(req.headers['sec-websocket-protocol']).find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX));
    if (bearer && !headers.has('authorization')) headers.set('authorization', `Bearer ${bearer.slice(BEARER_PROTOCOL_PREFIX.length)}`);
    // Without the bearer entry, so nothing downstream (or the handshake) ever sees the token there.
    req.headers['sec-websocket-protocol'] = offeredProtocols(req.headers['sec-websocket-protocol']).filter((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX)).join(', ');
    if (!req.headers['sec-websocket-protocol']) delete req.headers['sec-websocket-protocol'];
    const slot: AttachSlot = {};
    const res = await fetch(new Request(new URL(url.pathname + url.search, `http://${req.headers.host ?? 'localhost'}`), { method: 'GET', headers }), { [ATTACH_SLOT]: slot, incoming: req });
    const accept = slot.accept;
    if (!accept || res.status !== 204) {
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => { out[k] = v; });
      return refuse(socket, res.status, out, await res.text());
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (sock) => accept(sock));
  }
}

/** Answers a refused upgrade with a plain HTTP response and closes the connection. */
function refuse(socket: Duplex, status: number, headers: Record<string, string>, body: string): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  for (const [k, v] of Object.entries(headers)) if (k !== 'content-length' && k !== 'connection' && k !== 'transfer-encoding') lines.push(`${k}: ${v}`);
  lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', '');
  socket.end(lines.join('\r\n') + body);
}
