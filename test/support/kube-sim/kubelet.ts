import { PodWorker, type KubeletDeps } from './pod-worker';
import type { ContainerRuntime } from './pod-status';
import { findResource } from './resources';
import { badRequest, notFound } from './status';
import type { KubeObject, StoreEvent } from './store';

const PODS = findResource('', 'v1', 'pods')!;

/** A container resolved for exec or logs. */
export interface ResolvedContainer {
  pod: KubeObject;
  runtime: ContainerRuntime;
}

/** The node agent: one PodWorker per pod, started on create and torn down on delete. */
export class Kubelet {
  private readonly workers = new Map<string, PodWorker>();
  private readonly unsubscribe: () => void;
  private closed = false;

  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: KubeletDeps) {
    this.unsubscribe = deps.store.subscribe((e) => this.onEvent(e));
    this.timer = setInterval(() => this.resync(), 1000);
    this.timer.unref();
  }

  /**
   * The kubelet's own clock: every pod bound for this node gets a worker and every terminating pod gets torn down,
   * whether or not a store event was seen, so progress never waits for the next API request.
   */
  private resync(): void {
    if (this.closed) return;
    for (const pod of this.deps.store.list(PODS)) {
      const worker = this.workers.get(pod.metadata.uid);
      if (!worker && !pod.metadata.deletionTimestamp) this.workers.set(pod.metadata.uid, new PodWorker(this.deps, pod));
      else if (!worker && pod.metadata.deletionTimestamp) this.deps.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
      else if (worker && pod.metadata.deletionTimestamp) void this.finish(worker, pod.metadata.deletionGracePeriodSeconds ?? 0, true);
    }
  }

  private onEvent(e: StoreEvent): void {
    if (e.def !== PODS || this.closed) return;
    const uid = e.object.metadata.uid;
    const worker = this.workers.get(uid);
    if (e.type === 'ADDED' && !worker && !e.object.metadata.deletionTimestamp) {
      this.workers.set(uid, new PodWorker(this.deps, e.object));
    } else if (e.type === 'MODIFIED' && worker && e.object.metadata.deletionTimestamp) {
      void this.finish(worker, e.object.metadata.deletionGracePeriodSeconds ?? 0, true);
    } else if (e.type === 'DELETED' && worker) {
      void this.finish(worker, 0, false);
    }
  }

  private async finish(worker: PodWorker, grace: number, removeFromApi: boolean): Promise<void> {
    await worker.terminate(grace, removeFromApi);
    this.workers.delete(worker.uid);
    this.onIdle?.();
  }

  /** Called whenever a pod's containers are gone, so the PVC protection controller can re-check claims. */
  onIdle?: () => void;

  /** True while a pod of the namespace (its object or its containers) still uses the claim. */
  claimInUse(namespace: string, claim: string, uid: string): boolean {
    return [...this.workers.values()].some((w) => w.namespace === namespace && w.usesClaim(claim, uid));
  }

  /** Finds a pod's container for exec/logs; 404 for a missing pod, 400 for a bad or missing container name. */
  resolve(namespace: string, podName: string, container: string | null): ResolvedContainer {
    const pod = this.deps.store.get(PODS, namespace, podName);
    if (!pod) throw notFound(PODS, podName);
    const names = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
    const initNames = (pod.spec?.initContainers ?? []).map((c: { name: string }) => c.name);
    let name = container;
    if (!name) {
      if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`);
      name = names[0] as string;
    }
    if (!names.includes(name) && !initNames.includes(name)) {
      throw badRequest(`container ${name} is not valid for pod ${podName}`);
    }
    const runtime = this.workers.get(pod.metadata.uid)?.container(name);
    if (!runtime) throw badRequest(`container "${name}" in pod "${podName}" is not available`);
    return { pod, runtime };
  }

  /** Kills and removes every container of every pod (used by close()). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.unsubscribe();
    await Promise.all([...this.workers.values()].map((w) => w.terminate(0, false)));
    this.workers.clear();
  }
}
