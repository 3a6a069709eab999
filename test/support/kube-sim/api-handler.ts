import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AGGREGATED_CONTENT_TYPE, VERSION_INFO, aggregatedDiscovery, apiGroup, apiGroupList, apiVersions, resourceList, wantsAggregated,
} from './discovery';
import { faultError, type KubeRequestRecord } from './faults';
import {
  authenticate, beginRequest, readJsonBody, sendError, sendJson, type ResourceRoute, type SimRuntime,
} from './http-util';
import { serveLogs } from './logs';
import { fieldCheckOf, warningHeaders } from './field-validation';
import { openApiResponse } from './openapi';
import { listOptions } from './query';
import { GROUPS } from './resources';
import type { DeleteOptions } from './rest';
import { KubeError, badRequest, statusError } from './status';
import { toTable, wantsTable } from './table';
import { serveWatch } from './watch';

function deleteOptions(query: URLSearchParams, body: unknown): DeleteOptions {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, any>;
  const grace = query.get('gracePeriodSeconds') ?? b.gracePeriodSeconds;
  return {
    gracePeriodSeconds: grace === undefined || grace === null ? undefined : Number(grace),
    propagationPolicy: query.get('propagationPolicy') ?? b.propagationPolicy,
    preconditions: b.preconditions,
    dryRun: query.getAll('dryRun').includes('All') || (Array.isArray(b.dryRun) && b.dryRun.includes('All')),
  };
}

function discovery(req: IncomingMessage, path: string, address: string): [number, unknown, Record<string, string>?] {
  const accept = req.headers.accept;
  const trimmed = path.replace(/\/+$/, '') || '/';
  if (trimmed === '/api') return wantsAggregated(accept) ? [200, aggregatedDiscovery(true), { 'Content-Type': AGGREGATED_CONTENT_TYPE }] : [200, apiVersions(address)];
  if (trimmed === '/apis') return wantsAggregated(accept) ? [200, aggregatedDiscovery(false), { 'Content-Type': AGGREGATED_CONTENT_TYPE }] : [200, apiGroupList()];
  if (trimmed === '/api/v1') return [200, resourceList('')];
  if (trimmed === '/version') return [200, VERSION_INFO];
  const openapi = openApiResponse(trimmed, accept);
  if (openapi) return openapi;
  const m = /^\/apis\/([^/]+)(?:\/(v1))?$/.exec(trimmed);
  if (m && GROUPS.includes(m[1]!) && m[1] !== '') return [200, m[2] ? resourceList(m[1]!) : apiGroup(m[1]!)];
  throw statusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

async function dispatch(rt: SimRuntime, req: IncomingMessage, res: ServerResponse, route: ResourceRoute, record: KubeRequestRecord,
  query: URLSearchParams, body: unknown, reply: (code: number, body: unknown, headers?: Record<string, string | string[]>) => void): Promise<void> {
  const { def, namespace, name, subresource } = route;
  const dryRun = query.getAll('dryRun').includes('All');
  const table = wantsTable(req.headers.accept);
  const includeObject = query.get('includeObject');
  const fields = ['create', 'update', 'patch'].includes(record.verb ?? '') ? fieldCheckOf(query) : undefined;
  if (subresource === 'exec') throw badRequest('Upgrade request required');
  switch (record.verb) {
    case 'list': {
      const list = rt.rest.list(def, namespace, query) as { items: any[]; metadata: { resourceVersion: string; continue?: string } };
      if (!table) return reply(200, list);
      const asTable = toTable(def, list.items, list.metadata.resourceVersion, includeObject);
      (asTable.metadata as Record<string, unknown>).continue = list.metadata.continue;
      return reply(200, asTable);
    }
    case 'watch': {
      const options = listOptions(query);
      rt.rest.list(def, namespace, new URLSearchParams());
      record.status = 200;
      return serveWatch(res, rt.store, { def, namespace, options, includeObject, asTable: table, bookmarkIntervalMs: rt.bookmarkIntervalMs }, rt.openResponses);
    }
    case 'get': {
      if (subresource === 'log') {
        await serveLogs(res, rt.docker, rt.kubelet, namespace!, name!, query);
        record.status = res.statusCode;
        return;
      }
      const obj = rt.rest.get(def, namespace, name!);
      return reply(200, table ? toTable(def, [obj], obj.metadata.resourceVersion, includeObject) : obj);
    }
    case 'create':
      if (name !== undefined || (def.namespaced && namespace === undefined)) throw statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      if (body === undefined) throw badRequest('the request body is empty');
      return reply(201, rt.rest.create(def, namespace, body, dryRun, fields), warningHeaders(fields));
    case 'update':
      if (body === undefined) throw badRequest('the request body is empty');
      return reply(200, rt.rest.update(def, namespace, name!, body, subresource, dryRun, fields), warningHeaders(fields));
    case 'patch':
      if (body === undefined) throw badRequest('the request body is empty');
      return reply(200, rt.rest.patch(def, namespace, name!, String(req.headers['content-type'] ?? ''), body, subresource, dryRun, fields), warningHeaders(fields));
    case 'delete':
      return reply(200, rt.rest.delete(def, namespace, name!, deleteOptions(query, body)));
    case 'deletecollection':
      return reply(200, rt.rest.deleteCollection(def, namespace, query, deleteOptions(query, body)));
    default:
      throw statusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }
}

/** Handles one plain HTTP request: log, authenticate, inject faults, then discovery or the REST verbs. */
export async function handleRequest(rt: SimRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { url, query, record, route } = beginRequest(rt, req);
  const reply = (code: number, body: unknown, headers?: Record<string, string | string[]>): void => {
    record.status = code;
    sendJson(res, code, body, headers);
  };
  try {
    authenticate(rt, req.headers.authorization);
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(record.method)) {
      record.contentType = req.headers['content-type'];
      record.body = await readJsonBody(req);
    }
    const fault = rt.faults.take(record);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) throw faultError(fault, record);
    if (!route) {
      const [code, body, headers] = discovery(req, url.pathname, rt.address());
      return reply(code, body, headers);
    }
    await dispatch(rt, req, res, route, record, query, record.body, reply);
  } catch (err) {
    const e = err instanceof KubeError ? err : statusError(500, 'InternalError', `kube-sim: ${(err as Error).message}`);
    if (!(err instanceof KubeError)) console.error('kube-sim: internal error', err);
    record.status = e.code;
    sendError(res, e);
  }
}
