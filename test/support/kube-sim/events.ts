import { randomBytes, randomUUID } from 'node:crypto';
import { nowStamp } from './admission';
import { findResource } from './resources';
import type { KubeObject, ObjectStore } from './store';

const EVENTS = findResource('', 'v1', 'events')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

/** Writes core/v1 Events about objects, aggregating repeats like the real event recorder (count, lastTimestamp). */
export class EventRecorder {
  constructor(private readonly store: ObjectStore, private readonly host: string) {}

  /** Records an event; silently dropped when the object's namespace is gone or terminating. */
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void {
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
      source: { component: 'kubelet', host: this.host }, reportingComponent: 'kubelet', reportingInstance: this.host,
    });
  }
}
