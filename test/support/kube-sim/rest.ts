import { admitNamespace, admitPod, checkTypeMeta, mergeForUpdate, nowStamp, prepareNew } from './admission';
import { checkFields, type FieldCheck } from './field-validation';
import { listPage } from './list-page';
import { rootSchema } from './openapi-schemas';
import { applyPatch } from './patch';
import { listOptions } from './query';
import { apiVersionOf, type ResourceDef } from './resources';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import { alreadyExists, badRequest, conflict, forbidden, notFound, statusError, successStatus, type StatusBody } from './status';
import type { KubeObject, ObjectStore } from './store';
import { assertNoCauses, objectCauses, updateCauses } from './validate';

/** Options of a DELETE, from the DeleteOptions body and the query string. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

/** Settings the REST layer needs from the simulator. */
export interface RestSettings {
  hideNodes: boolean;
  /** Upper bound of a pod's graceful termination, to keep tests fast. */
  maxGracePeriodSeconds: number;
}

const PROTECTED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** CRUD semantics of the API server over the object store: admission, validation, resourceVersion, finalizers. */
export class RestHandlers {
  constructor(private readonly store: ObjectStore, private readonly settings: RestSettings) {}

  private guardRead(def: ResourceDef, verb: string, name?: string): void {
    if (def.plural === 'nodes' && this.settings.hideNodes) {
      const scope = name === undefined ? 'nodes' : `nodes "${name}"`;
      throw statusError(403, 'Forbidden', `${scope} is forbidden: User "system:serviceaccount:default:kube-sim" cannot ${verb} resource "nodes" in API group "" at the cluster scope`, name === undefined ? { kind: 'nodes' } : { name, kind: 'nodes' });
    }
  }

  private guardWrite(def: ResourceDef, verb: string): void {
    if (def.readOnly) throw statusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${verb} ${def.plural})`, { kind: def.plural });
  }

  private mustGet(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store.get(def, namespace, name);
    if (!obj) throw notFound(def, name);
    return obj;
  }

  /** Lists objects with label/field selectors, resourceVersion semantics and paging; `namespace` undefined lists across namespaces. */
  list(def: ResourceDef, namespace: string | undefined, query: URLSearchParams): Record<string, unknown> {
    this.guardRead(def, 'list');
    const opts = listOptions(query);
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector);
    const page = listPage(this.store, def, namespace, { ...opts, watch: false }, (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
    const metadata: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continueToken) metadata.continue = page.continueToken;
    if (page.remainingItemCount !== undefined) metadata.remainingItemCount = page.remainingItemCount;
    return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items: page.items };
  }

  /** Reads one object (404 Status when missing). */
  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    this.guardRead(def, 'get', name);
    return this.mustGet(def, namespace, name);
  }

  /** Creates an object: type check, admission, validation, defaults; 409 AlreadyExists; `dryRun` stores nothing. */
  create(def: ResourceDef, namespace: string | undefined, body: unknown, dryRun = false, fields?: FieldCheck): KubeObject {
    this.guardWrite(def, 'create');
    const obj = checkTypeMeta(def, body);
    checkFields(def, obj, fields);
    if (def.namespaced && obj.metadata.namespace && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const shownName = String(obj.metadata.name ?? obj.metadata.generateName ?? '');
    if (def.namespaced) admitNamespace(this.store, def, namespace!, shownName);
    if (!def.namespaced) delete obj.metadata.namespace;
    assertNoCauses(def, shownName, objectCauses(def, obj));
    prepareNew(def, obj, namespace);
    if (def.kind === 'Pod') admitPod(this.store, obj);
    if (this.store.get(def, namespace, obj.metadata.name)) throw alreadyExists(def, obj.metadata.name);
    if (dryRun) return { ...obj, metadata: { ...obj.metadata, resourceVersion: '' } };
    return this.store.insert(def, obj);
  }

  /** Replaces an object (PUT), or its status (`subresource` = `status`); stale resourceVersion → 409 Conflict. */
  update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, subresource?: string, dryRun = false, fields?: FieldCheck): KubeObject {
    this.guardWrite(def, 'update');
    const next = checkTypeMeta(def, body);
    checkFields(def, next, fields);
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && next.metadata.namespace && next.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    next.metadata.name = name;
    const old = this.mustGet(def, namespace, name);
    return this.commit(def, old, next, subresource, dryRun);
  }

  /** Applies a JSON, merge or strategic-merge patch, then follows the update path. */
  patch(def: ResourceDef, namespace: string | undefined, name: string, contentType: string, body: unknown, subresource?: string, dryRun = false, fields?: FieldCheck): KubeObject {
    this.guardWrite(def, 'patch');
    const old = this.mustGet(def, namespace, name);
    const patched = applyPatch(contentType, old, body, rootSchema(def)) as KubeObject;
    if (patched === null || typeof patched !== 'object' || typeof patched.metadata !== 'object') throw badRequest('the patch produced an invalid object');
    if (patched.metadata.name !== name) throw badRequest('metadata.name cannot be changed by a patch');
    const next = checkTypeMeta(def, patched);
    checkFields(def, next, fields);
    return this.commit(def, old, next, subresource, dryRun);
  }

  private commit(def: ResourceDef, old: KubeObject, next: KubeObject, subresource: string | undefined, dryRun: boolean): KubeObject {
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== old.metadata.resourceVersion) throw conflict(def, old.metadata.name);
    const merged = mergeForUpdate(def, old, next, subresource);
    assertNoCauses(def, old.metadata.name, [...objectCauses(def, merged), ...updateCauses(def, old, merged)]);
    if (dryRun) return merged;
    if (merged.metadata.deletionTimestamp && (merged.metadata.finalizers ?? []).length === 0 && def.kind !== 'Pod' && def.kind !== 'Namespace') {
      return this.store.remove(def, merged.metadata.namespace, merged.metadata.name) ?? merged;
    }
    return this.store.replace(def, merged);
  }

  /** Deletes: pods terminate gracefully, finalizers defer removal, protected namespaces are forbidden. */
  delete(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions): KubeObject | StatusBody {
    this.guardWrite(def, 'delete');
    const obj = this.mustGet(def, namespace, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== obj.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`);
    }
    if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
      throw conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`);
    }
    if (def.kind === 'Namespace' && PROTECTED_NAMESPACES.includes(name)) throw forbidden(def, name, 'this namespace may not be deleted');
    if (opts.dryRun) return obj;
    if (obj.metadata.deletionTimestamp) return obj;
    if (def.kind === 'Pod') {
      const requested = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
      if (requested <= 0) return this.store.remove(def, namespace, name)!;
      const grace = Math.min(requested, this.settings.maxGracePeriodSeconds);
      obj.metadata.deletionTimestamp = nowStamp(grace);
      obj.metadata.deletionGracePeriodSeconds = grace;
      return this.store.replace(def, obj);
    }
    if (def.kind === 'Namespace') {
      obj.metadata.deletionTimestamp = nowStamp();
      obj.metadata.deletionGracePeriodSeconds = 0;
      obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
      return this.store.replace(def, obj);
    }
    if ((obj.metadata.finalizers ?? []).length > 0) {
      obj.metadata.deletionTimestamp = nowStamp();
      obj.metadata.deletionGracePeriodSeconds = 0;
      return this.store.replace(def, obj);
    }
    const gone = this.store.remove(def, namespace, name)!;
    return def.kind === 'PersistentVolumeClaim' ? gone : successStatus(def, name, gone.metadata.uid);
  }

  /** DELETE on a collection: deletes every object the selectors match. */
  deleteCollection(def: ResourceDef, namespace: string | undefined, query: URLSearchParams, opts: DeleteOptions): Record<string, unknown> {
    const list = this.list(def, namespace, query) as { items: KubeObject[] };
    const items = list.items.map((o) => this.delete(def, o.metadata.namespace, o.metadata.name, opts));
    return { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: this.store.resourceVersion }, items };
  }
}
