import { randomUUID } from 'node:crypto';
import { applyCreateDefaults, applySpecDefaults, foldStringData } from './defaults';
import { generateNameSuffix } from './names';
import { apiVersionOf, findResource, type ResourceDef } from './resources';
import { badRequest, forbidden, statusError } from './status';
import type { KubeObject, ObjectStore } from './store';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;

/** `2024-05-01T10:00:00Z`: the API server's timestamp format (seconds precision). */
export function nowStamp(offsetSeconds = 0): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + offsetSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** Checks that a body is an object of the expected kind/apiVersion (400 otherwise) and fills them in. */
export function checkTypeMeta(def: ResourceDef, body: unknown): KubeObject {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the body of the request was not a ${def.kind} object`);
  const obj = structuredClone(body) as KubeObject;
  if (obj.kind !== undefined && obj.kind !== def.kind) {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: the object provided is of kind ${JSON.stringify(obj.kind)}`);
  }
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def)) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
  }
  obj.kind = def.kind;
  obj.apiVersion = apiVersionOf(def);
  obj.metadata = (obj.metadata ?? {}) as KubeObject['metadata'];
  return obj;
}

/** Namespace checks for writes into a namespace: it must exist and not be terminating. */
export function admitNamespace(store: ObjectStore, def: ResourceDef, namespace: string, name: string): void {
  const ns = store.get(NAMESPACES, undefined, namespace);
  if (!ns) throw statusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
  if (ns.metadata.deletionTimestamp) {
    throw forbidden(def, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

/** Pod admission: the service account must exist (the ServiceAccount admission plugin). */
export function admitPod(store: ObjectStore, pod: KubeObject): void {
  const ns = pod.metadata.namespace!;
  const sa = String(pod.spec?.serviceAccountName ?? 'default');
  if (!store.get(SERVICE_ACCOUNTS, ns, sa)) {
    throw forbidden({ group: '', plural: 'pods' }, pod.metadata.name, `error looking up service account ${ns}/${sa}: serviceaccount "${sa}" not found`);
  }
}

/** Resolves generateName and sets the server-owned metadata of a new object. */
export function prepareNew(def: ResourceDef, obj: KubeObject, namespace: string | undefined): void {
  const m = obj.metadata;
  if (!m.name && m.generateName) m.name = `${m.generateName}${generateNameSuffix()}`;
  if (def.namespaced) m.namespace = namespace;
  m.uid = randomUUID();
  m.creationTimestamp = nowStamp();
  m.generation = 1;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.managedFields;
  delete m.selfLink;
  applyCreateDefaults(obj);
}

/** Carries the server-owned fields of the stored object over to an update, following status-subresource rules. */
export function mergeForUpdate(def: ResourceDef, old: KubeObject, next: KubeObject, subresource: string | undefined): KubeObject {
  if (subresource === 'status') {
    const out = structuredClone(old);
    out.status = next.status;
    return out;
  }
  const m = next.metadata as Record<string, unknown>;
  for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName', 'namespace'] as const) {
    if (old.metadata[k] === undefined) delete m[k];
    else m[k] = old.metadata[k];
  }
  delete m.managedFields;
  if (def.statusSubresource) {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (def.kind === 'Secret') foldStringData(next);
  applySpecDefaults(next);
  if (def.kind === 'PersistentVolumeClaim' && old.spec?.volumeName && next.spec && !next.spec.volumeName) next.spec.volumeName = old.spec.volumeName;
  if (def.kind === 'Namespace') {
    next.spec = old.spec;
    next.metadata.labels = { ...(next.metadata.labels ?? {}), 'kubernetes.io/metadata.name': next.metadata.name };
  }
  const specChanged = JSON.stringify(old.spec) !== JSON.stringify(next.spec);
  next.metadata.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
  return next;
}
