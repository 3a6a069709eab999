import { createHash } from 'node:crypto';
import { VERSION_INFO } from './discovery';
import { OPENAPI_V2_PROTO, OPENAPI_V2_PROTO_CONTENT_TYPE, encodeOpenApiV2 } from './openapi-proto';
import { schemaSet, type Schema } from './openapi-schemas';
import { GROUPS, RESOURCES, apiVersionOf, type ResourceDef } from './resources';
import { statusError } from './status';

const REF = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

type Param = [name: string, type: string, description: string];

const LIST_PARAMS: Param[] = [
  ['allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK".'],
  ['continue', 'string', 'The continue option should be set when retrieving more results from the server.'],
  ['fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields.'],
  ['labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels.'],
  ['limit', 'integer', 'limit is a maximum number of responses to return for a list call.'],
  ['resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from.'],
  ['resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'],
  ['sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set together with watch=true to begin the watch stream with synthetic events.'],
  ['timeoutSeconds', 'integer', 'Timeout for the list/watch call.'],
  ['watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'],
];
const WRITE_PARAMS: Param[] = [
  ['dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'],
  ['fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes.'],
  ['fieldValidation', 'string', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn (the default) and Strict.'],
];
const DELETE_PARAMS: Param[] = [
  ['dryRun', 'string', WRITE_PARAMS[0]![2]],
  ['gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted.'],
  ['propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."],
];

function query(params: Param[]): Schema[] {
  return params.map(([name, type, description]) => ({ name, in: 'query', description, schema: { type } }));
}

function pathParam(name: string): Schema {
  return { name, in: 'path', required: true, description: `name of the ${name === 'namespace' ? 'Namespace' : 'object'}`, schema: { type: 'string' } };
}

function json(ref: string): Schema {
  return { content: { 'application/json': { schema: { $ref: REF + ref } }, 'application/yaml': { schema: { $ref: REF + ref } } } };
}

function operationId(verb: string, def: ResourceDef, scope: string, suffix = ''): string {
  const group = def.group === '' ? 'CoreV1' : 'RbacAuthorizationV1';
  return `${verb}${group}${scope}${def.kind}${suffix}`;
}

/** The path items of one resource: collection, item and subresources, with the operations kubectl inspects. */
function resourcePaths(def: ResourceDef): Record<string, Schema> {
  const gvk = { group: def.group, kind: def.kind, version: def.version };
  const name = schemaSet().roots.get(`${def.group}/${def.kind}`)!;
  const base = `/${def.group === '' ? 'api/v1' : `apis/${apiVersionOf(def)}`}`;
  const scope = def.namespaced ? 'Namespaced' : '';
  const prefix = def.namespaced ? `${base}/namespaces/{namespace}/${def.plural}` : `${base}/${def.plural}`;
  const common = def.namespaced ? [pathParam('namespace')] : [];
  const op = (verb: string, action: string, extra: Schema): Schema => ({
    operationId: operationId(verb, def, scope), tags: [def.group === '' ? 'core_v1' : 'rbacAuthorization_v1'],
    'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk, ...extra,
    responses: { ...(extra.responses ?? {}), 401: { description: 'Unauthorized' } },
  });
  const write = def.verbs.includes('create');
  const body = (types: string[]) => ({ required: true, content: Object.fromEntries(types.map((t) => [t, { schema: t.includes('patch') ? { $ref: `${REF}${META}Patch` } : { $ref: REF + name } }])) });
  const item: Schema = {
    get: op('read', 'get', { responses: { 200: { description: 'OK', ...json(name) } } }),
  };
  const collection: Schema = {
    get: op('list', 'list', { parameters: query(LIST_PARAMS), responses: { 200: { description: 'OK', ...json(`${name}List`) } } }),
  };
  if (write) {
    collection.post = op('create', 'post', { parameters: query(WRITE_PARAMS), requestBody: body(['*/*']), responses: { 200: { description: 'OK', ...json(name) }, 201: { description: 'Created', ...json(name) } } });
    item.put = op('replace', 'put', { parameters: query(WRITE_PARAMS), requestBody: body(['*/*']), responses: { 200: { description: 'OK', ...json(name) } } });
    item.patch = op('patch', 'patch', { parameters: query(WRITE_PARAMS), requestBody: body(PATCH_TYPES), responses: { 200: { description: 'OK', ...json(name) } } });
    item.delete = op('delete', 'delete', { parameters: query(DELETE_PARAMS), requestBody: { content: { '*/*': { schema: { $ref: `${REF}${META}DeleteOptions` } } } }, responses: { 200: { description: 'OK', ...json(`${META}Status`) } } });
    if (def.verbs.includes('deletecollection')) {
      collection.delete = op('deletecollection', 'deletecollection', { parameters: query([...DELETE_PARAMS, ...LIST_PARAMS.filter(([n]) => n !== 'watch')]), responses: { 200: { description: 'OK', ...json(`${META}Status`) } } });
    }
  }
  const paths: Record<string, Schema> = {
    [prefix]: { parameters: common, ...collection },
    [`${prefix}/{name}`]: { parameters: [pathParam('name'), ...common], ...item },
  };
  if (def.namespaced) paths[`${base}/${def.plural}`] = { get: { ...collection.get, operationId: operationId('list', def, '', 'ForAllNamespaces') } };
  for (const sub of def.subresources) {
    const p: Schema = { parameters: [pathParam('name'), ...common] };
    if (sub === 'status') {
      p.get = { ...item.get, operationId: operationId('read', def, scope, 'Status') };
      if (write) Object.assign(p, { put: { ...item.put, operationId: operationId('replace', def, scope, 'Status') }, patch: { ...item.patch, operationId: operationId('patch', def, scope, 'Status') } });
    } else if (sub === 'log') {
      p.get = op('read', 'get', { operationId: operationId('read', def, scope, 'Log'), responses: { 200: { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } } });
    } else {
      const connect = { ...gvk, kind: 'PodExecOptions' };
      p.get = { ...op('connectGet', 'connect', {}), operationId: operationId('connectGet', def, scope, 'Exec'), 'x-kubernetes-group-version-kind': connect, responses: { 200: { description: 'OK', content: { '*/*': { schema: { type: 'string' } } } } } };
      p.post = { ...p.get, operationId: operationId('connectPost', def, scope, 'Exec') };
    }
    paths[`${prefix}/{name}/${sub}`] = p;
  }
  return paths;
}

function reachable(schemas: Record<string, Schema>, roots: string[]): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (n: string): void => {
    if (out[n] || !schemas[n]) return;
    out[n] = schemas[n]!;
    for (const m of JSON.stringify(schemas[n]).matchAll(/"#\/components\/schemas\/([^"]+)"/g)) visit(m[1]!);
  };
  roots.forEach(visit);
  return out;
}

const v3Docs = new Map<string, Schema>();

/** The OpenAPI v3 document of one group-version (`''` is core `v1`), as served under `/openapi/v3/<gv path>`. */
export function openApiV3(group: string): Schema {
  const known = v3Docs.get(group);
  if (known) return known;
  const { schemas } = schemaSet();
  const defs = RESOURCES.filter((r) => r.group === group);
  const paths: Record<string, Schema> = {};
  for (const def of defs) Object.assign(paths, resourcePaths(def));
  const roots = [...defs.flatMap((d) => { const n = schemaSet().roots.get(`${d.group}/${d.kind}`)!; return [n, `${n}List`]; }), `${META}Status`, `${META}DeleteOptions`];
  const components = { ...reachable(schemas, roots), [`${META}Patch`]: { description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', type: 'object' } };
  const doc = {
    openapi: '3.0.0', info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion }, paths,
    components: { schemas: components, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
    security: [{ BearerToken: [] }],
  };
  v3Docs.set(group, doc);
  return doc;
}

/** `api/v1` or `apis/<group>/v1`: the key of a group-version in the v3 discovery document. */
function gvPath(group: string): string {
  return group === '' ? 'api/v1' : `apis/${group}/v1`;
}

function hashOf(doc: unknown): string {
  return createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
}

/** `/openapi/v3`: where each group-version's document lives (clients cache by the hash). */
export function openApiV3Root(): Schema {
  return { paths: Object.fromEntries(GROUPS.map((g) => [gvPath(g), { serverRelativeURL: `/openapi/v3/${gvPath(g)}?hash=${hashOf(openApiV3(g))}` }])) };
}

/** v3 → v2 schema spelling: `#/definitions/` references, and a field's `allOf: [{$ref}]` written as a plain `$ref`. */
function toV2(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toV2);
  if (node === null || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const wrapped = Array.isArray(src.allOf) && src.allOf.length === 1 ? (src.allOf[0] as Record<string, unknown>) : undefined;
  const out: Record<string, unknown> = {};
  if (wrapped?.$ref) out.$ref = String(wrapped.$ref).replace(REF, '#/definitions/');
  for (const [k, v] of Object.entries(src)) {
    if (k === 'allOf' && wrapped?.$ref) continue;
    out[k] = k === '$ref' ? String(v).replace(REF, '#/definitions/') : toV2(v);
  }
  return out;
}

function v2Operation(op: Schema): Schema {
  const { requestBody, responses, parameters = [], ...rest } = op;
  const params: Schema[] = (parameters as Schema[]).map(({ schema, ...p }) => ({ ...p, type: schema?.type ?? 'string' }));
  if (requestBody) {
    const schema = Object.values(requestBody.content as Record<string, { schema: Schema }>)[0]!.schema;
    params.unshift({ name: 'body', in: 'body', required: !!requestBody.required, schema });
  }
  const v2Responses = Object.fromEntries(Object.entries(responses as Record<string, Schema>).map(([code, r]) => {
    const schema = r.content && (Object.values(r.content) as Array<{ schema: Schema }>)[0]?.schema;
    return [code, schema ? { description: r.description, schema } : { description: r.description }];
  }));
  return {
    ...rest, parameters: params, responses: v2Responses, schemes: ['https'],
    consumes: requestBody ? Object.keys(requestBody.content) : ['*/*'], produces: ['application/json', 'application/yaml'],
  };
}

let v2Doc: Schema | undefined;
let v2Proto: Buffer | undefined;

/** `/openapi/v2`: the Swagger 2.0 document of everything served. */
export function openApiV2(): Schema {
  if (v2Doc) return v2Doc;
  const paths: Record<string, Schema> = {};
  const definitions: Record<string, Schema> = {};
  for (const g of GROUPS) {
    const doc = openApiV3(g);
    for (const [p, item] of Object.entries(doc.paths as Record<string, Schema>)) {
      paths[p] = Object.fromEntries(Object.entries(item).map(([k, v]) => [k, k === 'parameters' ? (v as Schema[]).map(({ schema, ...q }) => ({ ...q, type: schema.type })) : v2Operation(v as Schema)]));
    }
    Object.assign(definitions, doc.components.schemas);
  }
  v2Doc = toV2({ swagger: '2.0', info: { title: 'Kubernetes', version: VERSION_INFO.gitVersion }, paths, definitions,
    securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } }, security: [{ BearerToken: [] }] }) as Schema;
  return v2Doc;
}

/** Answers `/openapi/v2` (JSON, or gnostic protobuf when asked), `/openapi/v3` and `/openapi/v3/<gv>`; undefined for other paths. */
export function openApiResponse(path: string, accept: string | undefined): [number, unknown, Record<string, string>?] | undefined {
  if (path === '/openapi/v2') {
    const types = (accept ?? '*/*').split(',').map((t) => t.split(';')[0]!.trim());
    const proto = (t: string): boolean => t === OPENAPI_V2_PROTO || t === OPENAPI_V2_PROTO_CONTENT_TYPE;
    if (proto(types[0]!) || (types.some(proto) && !types.some((t) => t.includes('json')))) {
      v2Proto ??= encodeOpenApiV2(openApiV2());
      return [200, v2Proto, { 'Content-Type': OPENAPI_V2_PROTO_CONTENT_TYPE }];
    }
    if (!types.some((t) => t === '*/*' || t === 'application/*' || t.includes('json'))) {
      throw statusError(406, 'NotAcceptable', `only the following media types are accepted: application/json, ${OPENAPI_V2_PROTO}`);
    }
    return [200, openApiV2()];
  }
  if (path === '/openapi/v3') return [200, openApiV3Root()];
  const m = /^\/openapi\/v3\/(.+)$/.exec(path);
  if (!m) return undefined;
  const group = GROUPS.find((g) => gvPath(g) === m[1]);
  if (group === undefined) throw statusError(404, 'NotFound', 'the server could not find the requested resource', {});
  return [200, openApiV3(group)];
}
