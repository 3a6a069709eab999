import { isDeepStrictEqual } from 'node:util';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { nowStamp } from './admission';
import { ContainerRunner, type KubeletDeps, type RunnerHost } from './container-runner';
import { buildPodStatus, type ContainerRuntime, type PodFacts } from './pod-status';
import { findResource } from './resources';
import type { KubeObject } from './store';

export type { KubeletDeps } from './container-runner';

const PODS = findResource('', 'v1', 'pods')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;

/** Runs one pod's containers on Docker (init containers first, then the rest) and keeps its status true to them. */
export class PodWorker implements RunnerHost {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly inits: ContainerRuntime[];
  readonly apps: ContainerRuntime[];
  readonly created = new Set<string>();
  readonly claimUids = new Set<string>();
  private readonly runners = new Map<ContainerRuntime, ContainerRunner>();
  private readonly facts: PodFacts;
  private stopped = false;
  private terminating?: Promise<void>;
  private readonly sleepers = new Set<() => void>();
  private readonly run: Promise<void>;

  constructor(readonly deps: KubeletDeps, readonly pod: KubeObject) {
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace!;
    this.name = pod.metadata.name;
    const hasInit = (pod.spec?.initContainers ?? []).length > 0;
    const make = (spec: IContainer, init: boolean): ContainerRuntime => {
      const c: ContainerRuntime = {
        name: spec.name, image: String(spec.image), init, restartCount: 0, imageID: '', lastState: {},
        state: { waiting: { reason: hasInit ? 'PodInitializing' : 'ContainerCreating' } },
      };
      this.runners.set(c, new ContainerRunner(this, spec, c));
      return c;
    };
    this.inits = (pod.spec?.initContainers ?? []).map((c: IContainer) => make(c, true));
    this.apps = (pod.spec?.containers ?? []).map((c: IContainer) => make(c, false));
    this.facts = { restartPolicy: pod.spec?.restartPolicy ?? 'Always' };
    this.run = this.main().catch((err) => console.error(`kube-sim: pod ${this.namespace}/${this.name} failed`, err));
  }

  get stopping(): boolean {
    return this.stopped;
  }

  /** The runtime record of a container by name. */
  container(name: string): ContainerRuntime | undefined {
    return [...this.apps, ...this.inits].find((c) => c.name === name);
  }

  /** True while the pod's containers may hold the claim's volume (by uid once mounted, by name before). */
  usesClaim(claim: string, uid: string): boolean {
    if (this.claimUids.size > 0) return this.claimUids.has(uid);
    return (this.pod.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim);
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string, c?: ContainerRuntime, component?: string): void {
    const pod = this.deps.store.get(PODS, this.namespace, this.name) ?? this.pod;
    const fieldPath = c && `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
    this.deps.events.record(pod, type, reason, message, fieldPath, component);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }

  writeStatus(): void {
    if (this.stopped) return;
    const cur = this.deps.store.get(PODS, this.namespace, this.name);
    if (!cur || cur.metadata.uid !== this.uid || cur.metadata.deletionTimestamp) return;
    const status = buildPodStatus(cur.status, this.facts, this.inits, this.apps);
    const schedule = !this.facts.unschedulable && cur.spec?.nodeName !== this.deps.nodeName;
    if (isDeepStrictEqual(cur.status, status) && !schedule) return;
    if (schedule) cur.spec = { ...cur.spec, nodeName: this.deps.nodeName };
    cur.status = status;
    this.deps.store.replace(PODS, cur);
  }

  async removeContainer(id: string): Promise<void> {
    await this.deps.docker.getContainer(id).remove({ force: true, v: false }).catch(() => undefined);
    this.created.delete(id);
  }

  private volumeProblem(): string | undefined {
    for (const v of this.pod.spec?.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName as string | undefined;
      if (!claim) continue;
      const pvc = this.deps.store.get(PVCS, this.namespace, claim);
      if (!pvc) return `0/1 nodes are available: persistentvolumeclaim "${claim}" not found.`;
      if (pvc.metadata.deletionTimestamp) return `0/1 nodes are available: persistentvolumeclaim "${claim}" is being deleted.`;
      if (pvc.status?.phase !== 'Bound' || !this.deps.volumes.pvcVolume(pvc.metadata.uid)) return 'pod has unbound immediate PersistentVolumeClaims.';
    }
    return undefined;
  }

  private async main(): Promise<void> {
    for (let problem = this.volumeProblem(); problem && !this.stopped; problem = this.volumeProblem()) {
      if (this.facts.unschedulable !== problem) {
        this.facts.unschedulable = problem;
        this.writeStatus();
        this.event('Warning', 'FailedScheduling', problem, undefined, 'default-scheduler');
      }
      await this.sleep(300);
    }
    if (this.stopped) return;
    this.facts.unschedulable = undefined;
    this.facts.startTime = nowStamp();
    this.writeStatus();
    this.event('Normal', 'Scheduled', `Successfully assigned ${this.namespace}/${this.name} to ${this.deps.nodeName}`, undefined, 'default-scheduler');
    for (const c of this.inits) {
      if (!(await this.keepRunning(c))) return;
    }
    for (const c of this.apps) c.state = { waiting: { reason: 'ContainerCreating' } };
    this.writeStatus();
    await Promise.all(this.apps.map((c) => this.keepRunning(c)));
  }

  /** Runs a container and restarts it per restartPolicy; for init containers, true once it succeeded. */
  private async keepRunning(c: ContainerRuntime): Promise<boolean> {
    while (!this.stopped) {
      const exit = await this.runners.get(c)!.runOnce();
      if (exit === undefined) return false;
      if (c.init && exit === 0) return true;
      const policy = this.facts.restartPolicy;
      if (policy === 'Never' || (policy === 'OnFailure' && exit === 0)) return false;
      const delay = Math.min(1000 * 2 ** c.restartCount, 10_000);
      c.lastState = c.state;
      c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${delay / 1000}s restarting failed container=${c.name} pod=${this.name}_${this.namespace}(${this.uid})` } };
      this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.name}_${this.namespace}(${this.uid})`, c);
      this.writeStatus();
      await this.sleep(delay);
      c.restartCount += 1;
    }
    return false;
  }

  /** Stops the containers (SIGTERM, SIGKILL after the grace period), removes them and, if asked, the pod object. */
  terminate(graceSeconds: number, removeFromApi: boolean): Promise<void> {
    this.terminating ??= (async () => {
      this.stopped = true;
      for (const wake of [...this.sleepers]) wake();
      const running = [...this.inits, ...this.apps].filter((c) => c.state.running && c.containerId);
      for (const c of running) this.event('Normal', 'Killing', `Stopping container ${c.name}`, c);
      await Promise.all(running.map((c) => this.deps.docker.getContainer(c.containerId!).stop({ t: graceSeconds }).catch(() => undefined)));
      await Promise.all([...this.created].map((id) => this.removeContainer(id)));
      await this.run;
      await Promise.all([...this.created].map((id) => this.removeContainer(id)));
      await this.deps.volumes.releasePod(this.uid);
      const cur = this.deps.store.get(PODS, this.namespace, this.name);
      if (removeFromApi && cur?.metadata.uid === this.uid) this.deps.store.remove(PODS, this.namespace, this.name);
    })();
    return this.terminating;
  }
}
