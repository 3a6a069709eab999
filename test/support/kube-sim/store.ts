import type { ResourceDef } from './resources';

/** Object metadata as stored (server fields always set). */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  ownerReferences?: unknown[];
  [k: string]: unknown;
}

/** A stored API object; the body is plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [k: string]: any;
}

/** One change, in resourceVersion order. */
export interface StoreEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  def: ResourceDef;
  object: KubeObject;
  old?: KubeObject;
  rv: number;
}

const HISTORY = 5000;

/** The in-memory object store: one global resourceVersion counter, change history for watches, ordered listeners. */
export class ObjectStore {
  private rv = 1;
  private readonly maps = new Map<ResourceDef, Map<string, KubeObject>>();
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly queue: StoreEvent[] = [];
  private dispatching = false;
  /** Recent changes, oldest first, so a watch can resume from a resourceVersion. */
  readonly history: StoreEvent[] = [];

  /** The latest resourceVersion handed out. */
  get resourceVersion(): string {
    return String(this.rv);
  }

  /** The oldest resourceVersion a watch can still resume from. */
  get oldestResumable(): number {
    return this.history[0]?.rv ?? this.rv;
  }

  private map(def: ResourceDef): Map<string, KubeObject> {
    let m = this.maps.get(def);
    if (!m) this.maps.set(def, (m = new Map()));
    return m;
  }

  /** A copy of one object, or undefined. */
  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.map(def).get(`${namespace ?? ''}/${name}`);
    return o && structuredClone(o);
  }

  /** Copies of all objects of a type, optionally in one namespace, ordered by namespace and name. */
  list(def: ResourceDef, namespace?: string): KubeObject[] {
    return [...this.map(def).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /** Stores a new object under a fresh resourceVersion and returns a copy. */
  insert(def: ResourceDef, obj: KubeObject): KubeObject {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.map(def).set(key, stored);
    this.emit({ type: 'ADDED', def, object: structuredClone(stored), rv: this.rv });
    return structuredClone(stored);
  }

  /** Replaces an existing object under a fresh resourceVersion and returns a copy. */
  replace(def: ResourceDef, obj: KubeObject): KubeObject {
    const key = `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
    const old = this.map(def).get(key);
    if (!old) throw new Error(`kube-sim: replace of missing ${def.plural} ${key}`);
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    this.map(def).set(key, stored);
    this.emit({ type: 'MODIFIED', def, object: structuredClone(stored), old: structuredClone(old), rv: this.rv });
    return structuredClone(stored);
  }

  /** Removes an object; the DELETED event carries a fresh resourceVersion. */
  remove(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = `${namespace ?? ''}/${name}`;
    const old = this.map(def).get(key);
    if (!old) return undefined;
    this.map(def).delete(key);
    const gone = structuredClone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', def, object: structuredClone(gone), old: structuredClone(old), rv: this.rv });
    return gone;
  }

  /**
   * The objects of a type as they were at resourceVersion `rv` (current objects with later history undone), ordered
   * like {@link list}; undefined when `rv` is older than the history reaches back or newer than the store.
   */
  listAt(def: ResourceDef, rv: number, namespace?: string): KubeObject[] | undefined {
    if (rv > this.rv || rv < this.oldestResumable - 1) return undefined;
    const state = new Map(this.map(def));
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > rv; i--) {
      const e = this.history[i]!;
      if (e.def !== def) continue;
      const key = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
      if (e.type === 'ADDED') state.delete(key);
      else if (e.old) state.set(key, e.old);
    }
    return [...state.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  /** Registers a listener; events reach every listener in resourceVersion order even when a listener writes. */
  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    this.queue.push(e);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        for (const l of [...this.listeners]) {
          try {
            l(next);
          } catch (err) {
            console.error('kube-sim: store listener failed', err);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }
}
