import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FaultQueue, KubeRequestRecord, KubeVerb } from './faults';
import type { Kubelet } from './kubelet';
import type { RestHandlers } from './rest';
import { queryBool } from './query';
import { findResource, type ResourceDef } from './resources';
import type { ObjectStore } from './store';
import { badRequest, statusError, type KubeError } from './status';

/** Sends a JSON body (a Buffer is sent as it is, with the Content-Type in `headers`). */
export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends a KubeError as its Status object. */
export function sendError(res: ServerResponse, err: KubeError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.code, err.body, err.headers);
}

/** Answers an upgrade request with a Status error on the raw socket and closes it. */
export function rejectUpgrade(socket: Duplex, err: KubeError): void {
  const text = JSON.stringify(err.body);
  socket.end(`HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
}

/** Reads and parses a JSON request body (undefined when empty); YAML and other types → 415. */
export async function readJsonBody(req: IncomingMessage, limit = 10 * 1024 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw statusError(413, 'RequestEntityTooLarge', 'the request body is too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw statusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json (kube-sim does not accept ${type})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded as JSON: ${(err as Error).message}`);
  }
}

/** Query parameters as a plain record (repeated keys become arrays), for the request log. */
export function queryRecord(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/** The parts of a running simulator the request handlers share. */
export interface SimRuntime {
  store: ObjectStore;
  rest: RestHandlers;
  kubelet: Kubelet;
  docker: Docker;
  faults: FaultQueue;
  requests: KubeRequestRecord[];
  token: string;
  /** How often a watch that allows bookmarks gets one. */
  bookmarkIntervalMs: number;
  /** `127.0.0.1:<port>` once listening. */
  address(): string;
  wss: WebSocketServer;
  openResponses: Set<ServerResponse>;
  openSockets: Set<Duplex>;
  openWebSockets: Set<WebSocket>;
}

/**
 * Credentials other than the kubeconfig's bearer token → 401 Unauthorized. A request without any is let in, like the
 * old insecure port: kubectl (clientcmd) never sends credentials to an `http://` server.
 */
export function authenticate(rt: SimRuntime, authorization: string | undefined): void {
  if (authorization !== undefined && authorization !== `Bearer ${rt.token}`) throw statusError(401, 'Unauthorized', 'Unauthorized');
}

/** A request path resolved to a resource (or not). */
export interface ResourceRoute {
  def: ResourceDef;
  group: string;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** Splits `/api/v1/...` and `/apis/<group>/<version>/...` into resource, namespace, name and subresource. */
export function parseResourcePath(path: string): ResourceRoute | undefined {
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs[1] === 'v1') {
    [group, version, rest] = ['', 'v1', segs.slice(2)];
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
  } else return undefined;
  if (rest.length === 0) return undefined;
  let route: ResourceRoute | undefined;
  const nsDef = rest[0] === 'namespaces' && rest.length >= 3 ? findResource(group, version, rest[2]!) : undefined;
  if (nsDef?.namespaced) {
    if (rest.length > 5) return undefined;
    route = { def: nsDef, group, version, namespace: rest[1], name: rest[3], subresource: rest[4] };
  } else {
    const def = findResource(group, version, rest[0]!);
    if (!def || rest.length > 3 || (def.namespaced && rest.length > 1)) return undefined;
    route = { def, group, version, name: rest[1], subresource: rest[2] };
  }
  if (route.subresource !== undefined && !route.def.subresources.includes(route.subresource)) return undefined;
  return route;
}

/** The RBAC verb of a request (exec is `create` on `pods/exec` whatever the HTTP method). */
export function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): KubeVerb {
  if (route.subresource === 'exec') return 'create';
  switch (method) {
    case 'GET': return route.name ? 'get' : queryBool(query, 'watch') ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return route.name ? 'delete' : 'deletecollection';
    default: return 'get';
  }
}

/**
 * Logs a request in `rt.requests` and classifies its resource path (shared by plain and upgrade
 * requests, so both show up alike in the request log tests read).
 */
export function beginRequest(rt: SimRuntime, req: IncomingMessage) {
  const url = new URL(req.url ?? '/', 'http://kube-sim');
  const query = url.searchParams;
  const record: KubeRequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: queryRecord(query), at: new Date() };
  rt.requests.push(record);
  const route = parseResourcePath(url.pathname);
  if (route) {
    Object.assign(record, { group: route.group, resource: route.def.plural, namespace: route.namespace, name: route.name, subresource: route.subresource });
    record.verb = verbOf(record.method, route, query);
  }
  return { url, query, record, route };
}
