import type Docker from 'dockerode';
import { WebSocket, WebSocketServer } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { exitStatus, startExec, type ExecParams, type ExecSession } from './docker-exec';

/** Subprotocols we speak, most preferred first (client-node offers v5 first). */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

/** A WebSocket server for the exec channel protocol (`noServer`: the HTTP server hands upgrades over). */
export function execWebSocketServer(): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
}

/**
 * Runs `docker exec` behind a k8s exec WebSocket: channel 0 stdin, 1 stdout, 2 stderr, 3 error (v1 Status JSON from v4 on),
 * 4 resize, and in v5 the 255 close signal the client sends when stdin ends.
 */
export function serveExecWebSocket(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer,
  docker: Docker, containerId: string, params: ExecParams, open: Set<WebSocket>): void {
  wss.handleUpgrade(req, socket, head, (ws) => {
    open.add(ws);
    const protocol = ws.protocol;
    const statusJson = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    const send = (channel: number, data: Buffer): void => {
      if (ws.readyState === WebSocket.OPEN) ws.send(Buffer.concat([Buffer.from([channel]), data]));
    };
    let session: ExecSession | undefined;
    const early: Array<(s: ExecSession) => void> = [];
    const withSession = (fn: (s: ExecSession) => void): void => {
      if (session) fn(session);
      else early.push(fn);
    };
    ws.on('message', (raw: Buffer | ArrayBuffer | Buffer[]) => {
      const data = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
      if (data.length === 0) return;
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === 0 && payload.length) withSession((s) => s.write(payload));
      else if (channel === 255 && payload[0] === 0) withSession((s) => s.endStdin());
      else if (channel === 4) {
        try {
          const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
          withSession((s) => s.resize(size.Width ?? 80, size.Height ?? 24));
        } catch {
          // a malformed resize is ignored, like the kubelet does
        }
      }
    });
    ws.on('close', () => {
      open.delete(ws);
      session?.abort();
    });
    startExec(docker, containerId, params, { stdout: (d) => send(1, d), stderr: (d) => send(2, d) })
      .then(async (s) => {
        session = s;
        for (const fn of early.splice(0)) fn(s);
        const code = await s.done;
        const status = exitStatus(code);
        if (statusJson) send(3, Buffer.from(JSON.stringify(status)));
        else if (code !== 0) send(3, Buffer.from(String(status.message)));
        ws.close(1000);
      })
      .catch((err: Error) => {
        const message = (err as { json?: { message?: string } }).json?.message ?? err.message;
        const status = { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
        send(3, Buffer.from(statusJson ? JSON.stringify(status) : message));
        ws.close(1000);
      });
  });
}
