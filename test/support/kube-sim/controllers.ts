import { randomBytes, randomUUID } from 'node:crypto';
import { nowStamp } from './admission';
import type { Kubelet } from './kubelet';
import { RESOURCES, findResource } from './resources';
import type { RestHandlers } from './rest';
import type { KubeObject, ObjectStore, StoreEvent } from './store';
import type { VolumeManager } from './volumes';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const SERVICE_ACCOUNTS = findResource('', 'v1', 'serviceaccounts')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const EVENTS = findResource('', 'v1', 'events')!;
const PVC_PROTECTION = 'kubernetes.io/pvc-protection';

/** Writes core/v1 Events about objects, aggregating repeats like the real event recorder (count, lastTimestamp). */
export class EventRecorder {
  constructor(private readonly store: ObjectStore, private readonly host: string) {}

  /** Records an event; silently dropped when the object's namespace is gone or terminating. */
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string, component = 'kubelet'): void {
    const ns = obj.metadata.namespace ?? 'default';
    const nsObj = this.store.get(NAMESPACES, undefined, ns);
    if (!nsObj || nsObj.metadata.deletionTimestamp) return;
    const now = nowStamp();
    const existing = this.store.list(EVENTS, ns).find((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message);
    if (existing) {
      existing.count = (existing.count ?? 1) + 1;
      existing.lastTimestamp = now;
      this.store.replace(EVENTS, existing);
      return;
    }
    const involvedObject: Record<string, unknown> = {
      kind: obj.kind, namespace: ns, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion,
      resourceVersion: obj.metadata.resourceVersion,
    };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    this.store.insert(EVENTS, {
      apiVersion: 'v1', kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns, uid: randomUUID(), resourceVersion: '', creationTimestamp: now },
      involvedObject, reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now,
      source: { component, host: this.host }, reportingComponent: component, reportingInstance: this.host,
    });
  }
}

/** Builds an object with fresh server metadata, for objects the control plane creates itself. */
export function systemObject(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown>): KubeObject {
  const metadata: KubeObject['metadata'] = { name, uid: randomUUID(), resourceVersion: '', creationTimestamp: nowStamp() };
  if (namespace) metadata.namespace = namespace;
  return { apiVersion, kind, metadata, ...rest };
}

/**
 * The controllers a real control plane runs that the driver relies on: namespace lifecycle, PVC binding and
 * protection. They react to store events and also re-check on their own clock (every 500 ms).
 */
export class Controllers {
  private readonly unsubscribe: () => void;
  private readonly timer: NodeJS.Timeout;
  private readonly purging = new Set<string>();
  private readonly binding = new Set<string>();

  constructor(private readonly store: ObjectStore, private readonly rest: RestHandlers, private readonly kubelet: Kubelet,
    private readonly volumes: VolumeManager, private readonly events: EventRecorder) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
    kubelet.onIdle = () => this.releaseClaims();
    this.timer = setInterval(() => {
      for (const pvc of store.list(PVCS)) if (!pvc.spec?.volumeName && !pvc.metadata.deletionTimestamp) void this.bind(pvc);
      this.releaseClaims();
      for (const ns of store.list(NAMESPACES)) if (ns.metadata.deletionTimestamp) this.purgeNamespace(ns.metadata.name);
    }, 500);
    this.timer.unref();
  }

  private onEvent(e: StoreEvent): void {
    if (e.def === NAMESPACES && e.type === 'ADDED') {
      if (!this.store.get(SERVICE_ACCOUNTS, e.object.metadata.name, 'default')) {
        this.store.insert(SERVICE_ACCOUNTS, systemObject('v1', 'ServiceAccount', 'default', e.object.metadata.name, {}));
      }
    }
    if (e.def === NAMESPACES && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp) this.purgeNamespace(e.object.metadata.name);
    if (e.def === PVCS && e.type === 'ADDED') void this.bind(e.object);
    if (e.def === PVCS && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp) this.releaseClaims();
    if (e.def === PVCS && e.type === 'DELETED') void this.deprovision(e.object);
    const ns = e.type === 'DELETED' ? e.object.metadata.namespace : undefined;
    if (ns && this.store.get(NAMESPACES, undefined, ns)?.metadata.deletionTimestamp) this.purgeNamespace(ns);
  }

  /** Provisions and binds a claim; the periodic pass retries claims whose binding failed or was never started. */
  private async bind(pvc: KubeObject): Promise<void> {
    const { namespace, name, uid } = pvc.metadata;
    if (this.binding.has(uid)) return;
    this.binding.add(uid);
    try {
      await this.volumes.provisionPvc(namespace!, name, uid);
    } catch (err) {
      this.events.record(pvc, 'Warning', 'ProvisioningFailed', `kube-sim could not create the Docker volume: ${(err as Error).message}`);
      return;
    } finally {
      this.binding.delete(uid);
    }
    const cur = this.store.get(PVCS, namespace, name);
    if (!cur || cur.metadata.uid !== uid) return;
    cur.spec = { ...cur.spec, volumeName: `pvc-${uid}` };
    cur.metadata.annotations = {
      ...(cur.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes',
      'volume.kubernetes.io/storage-provisioner': 'kube-sim.local/docker-volume',
    };
    cur.status = { phase: 'Bound', accessModes: cur.spec.accessModes, capacity: { storage: cur.spec.resources?.requests?.storage } };
    this.store.replace(PVCS, cur);
  }

  private async deprovision(pvc: KubeObject): Promise<void> {
    const ns = pvc.metadata.namespace!;
    for (let i = 0; i < 600 && this.kubelet.claimInUse(ns, pvc.metadata.name, pvc.metadata.uid); i++) await new Promise((r) => setTimeout(r, 100));
    await this.volumes.releasePvc(pvc.metadata.uid).catch(() => undefined);
  }

  /** Drops the pvc-protection finalizer of deleted claims no pod uses any more (the object then disappears). */
  private releaseClaims(): void {
    for (const pvc of this.store.list(PVCS)) {
      const { deletionTimestamp, finalizers = [], namespace, name } = pvc.metadata;
      if (!deletionTimestamp || !finalizers.includes(PVC_PROTECTION) || this.kubelet.claimInUse(namespace!, name, pvc.metadata.uid)) continue;
      pvc.metadata.finalizers = finalizers.filter((f) => f !== PVC_PROTECTION);
      if (pvc.metadata.finalizers.length === 0) this.store.remove(PVCS, namespace, name);
      else this.store.replace(PVCS, pvc);
    }
  }

  /** Deletes everything in a terminating namespace, then the namespace itself once it is empty. */
  private purgeNamespace(ns: string): void {
    if (this.purging.has(ns)) return;
    this.purging.add(ns);
    try {
      let left = 0;
      for (const def of RESOURCES.filter((r) => r.namespaced)) {
        for (const obj of this.store.list(def, ns)) {
          left++;
          if (def === EVENTS) this.store.remove(def, ns, obj.metadata.name);
          else if (!obj.metadata.deletionTimestamp) {
            try {
              this.rest.delete(def, ns, obj.metadata.name, {});
            } catch {
              // already gone or being deleted: the next pass sees it
            }
          }
        }
      }
      if (left === 0 && this.store.get(NAMESPACES, undefined, ns)) this.store.remove(NAMESPACES, undefined, ns);
    } finally {
      this.purging.delete(ns);
    }
  }

  /** Stops the periodic passes. */
  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }
}
