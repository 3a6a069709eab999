import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { execParams } from './docker-exec';
import { SPDY_PROTOCOLS, serveExecSpdy } from './exec-spdy';
import { serveExecWebSocket } from './exec-ws';
import { faultError } from './faults';
import { authenticate, beginRequest, rejectUpgrade, type SimRuntime } from './http-util';
import { KubeError, badRequest, statusError } from './status';

function offeredSpdyProtocol(req: IncomingMessage): string | undefined {
  const offered = req.headersDistinct['x-stream-protocol-version']?.flatMap((v) => v.split(',').map((s) => s.trim())) ?? [];
  return SPDY_PROTOCOLS.find((p) => offered.includes(p));
}

/** Handles an upgrade request: `pods/<name>/exec` over WebSocket (v4/v5.channel.k8s.io) or SPDY/3.1. */
export async function handleUpgrade(rt: SimRuntime, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const { query, record, route } = beginRequest(rt, req);
  socket.on('error', () => socket.destroy());
  try {
    authenticate(rt, req.headers.authorization);
    const fault = rt.faults.take(record);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) throw faultError(fault, record);
    if (!route || route.subresource !== 'exec' || !route.name || !route.namespace) {
      throw statusError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const params = execParams(query);
    if (params.command.length === 0) throw badRequest('you must specify at least 1 command');
    if (!params.stdin && !params.stdout && !params.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    const { runtime } = rt.kubelet.resolve(route.namespace, route.name, query.get('container'));
    if (!runtime.state.running || !runtime.containerId) {
      throw badRequest(`unable to upgrade connection: container not found ("${runtime.name}")`);
    }
    const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      record.status = 101;
      serveExecWebSocket(rt.wss, req, socket, head, rt.docker, runtime.containerId, params, rt.openWebSockets);
    } else if (upgrade === 'spdy/3.1') {
      const protocol = offeredSpdyProtocol(req);
      if (!protocol) throw statusError(403, 'Forbidden', `unable to upgrade: no common stream protocol (server supports ${SPDY_PROTOCOLS.join(', ')})`);
      record.status = 101;
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
      if (head.length) socket.unshift(head);
      serveExecSpdy(socket, protocol, rt.docker, runtime.containerId, params, rt.openSockets);
    } else {
      throw badRequest(`unsupported upgrade ${JSON.stringify(req.headers.upgrade)}: use websocket or SPDY/3.1`);
    }
  } catch (err) {
    const e = err instanceof KubeError ? err : statusError(500, 'InternalError', `kube-sim: ${(err as Error).message}`);
    record.status = e.code;
    rejectUpgrade(socket, e);
  }
}
