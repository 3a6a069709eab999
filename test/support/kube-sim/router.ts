import type { KubeVerb } from './faults';
import { findResource, type ResourceDef } from './resources';

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
    case 'GET': return route.name ? 'get' : ['true', '1'].includes(query.get('watch') ?? '') ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return route.name ? 'delete' : 'deletecollection';
    default: return 'get';
  }
}
