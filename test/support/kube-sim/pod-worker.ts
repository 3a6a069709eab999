import { isDeepStrictEqual } from 'node:util';
import type Docker from 'dockerode';
import type { IContainer } from 'kubernetes-models/v1/Container';
import tar from 'tar-stream';
import { nowStamp } from './admission';
import { ConfigError, MountWaitError, prepareContainer, type FileEntry } from './container-spec';
import type { EventRecorder } from './events';
import { isLoopbackRegistry, localImage, pullLoopback } from './images';
import { buildPodStatus, type ContainerRuntime, type PodFacts } from './pod-status';
import { findResource } from './resources';
import type { KubeObject, ObjectStore } from './store';
import { LABEL_INSTANCE, type VolumeManager } from './volumes';

const PODS = findResource('', 'v1', 'pods')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;

/** What a pod worker needs from the simulator. */
export interface KubeletDeps {
  store: ObjectStore;
  docker: Docker;
  volumes: VolumeManager;
  events: EventRecorder;
  instanceId: string;
  nodeName: string;
}

async function tarOf(files: FileEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) pack.entry({ name: dir, type: 'directory', mode: 0o755 });
      dirs.add(dir);
    }
    pack.entry({ name: parts.join('/'), mode: f.mode }, f.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Runs one pod's containers on Docker and keeps its status true to what they do. */
export class PodWorker {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly inits: ContainerRuntime[];
  readonly apps: ContainerRuntime[];
  private readonly facts: PodFacts;
  private stopping = false;
  private terminating?: Promise<void>;
  private readonly created = new Set<string>();
  private readonly sleepers = new Set<() => void>();
  private readonly warned = new Set<string>();
  private readonly run: Promise<void>;

  constructor(private readonly deps: KubeletDeps, private readonly pod: KubeObject) {
    this.uid = pod.metadata.uid;
    this.namespace = pod.metadata.namespace!;
    this.name = pod.metadata.name;
    const initial = (c: IContainer, init: boolean): ContainerRuntime => ({
      name: c.name, image: String(c.image), init, restartCount: 0, imageID: '', lastState: {},
      state: { waiting: { reason: init || (pod.spec?.initContainers ?? []).length ? 'PodInitializing' : 'ContainerCreating' } },
    });
    this.inits = (pod.spec?.initContainers ?? []).map((c: IContainer) => initial(c, true));
    this.apps = (pod.spec?.containers ?? []).map((c: IContainer) => initial(c, false));
    this.facts = { restartPolicy: pod.spec?.restartPolicy ?? 'Always' };
    this.run = this.main().catch((err) => console.error(`kube-sim: pod ${this.namespace}/${this.name} failed`, err));
  }

  /** The runtime record of a container by name. */
  container(name: string): ContainerRuntime | undefined {
    return [...this.apps, ...this.inits].find((c) => c.name === name);
  }

  /** The PVC uids whose volumes this pod's containers were given. */
  readonly claimUids = new Set<string>();

  /** True while the pod's containers may hold the claim's volume (by uid once mounted, by name before). */
  usesClaim(claim: string, uid: string): boolean {
    if (this.claimUids.size > 0) return this.claimUids.has(uid);
    return (this.pod.spec?.volumes ?? []).some((v: any) => v.persistentVolumeClaim?.claimName === claim);
  }

  private spec(c: ContainerRuntime): IContainer {
    return (c.init ? this.pod.spec!.initContainers : this.pod.spec!.containers).find((x: IContainer) => x.name === c.name);
  }

  private fieldPath(c: ContainerRuntime): string {
    return `spec.${c.init ? 'initContainers' : 'containers'}{${c.name}}`;
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, c?: ContainerRuntime): void {
    const pod = this.deps.store.get(PODS, this.namespace, this.name) ?? this.pod;
    this.deps.events.record(pod, type, reason, message, c && this.fieldPath(c));
  }

  private sleep(ms: number): Promise<void> {
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

  private writeStatus(): void {
    if (this.stopping) return;
    const cur = this.deps.store.get(PODS, this.namespace, this.name);
    if (!cur || cur.metadata.uid !== this.uid || cur.metadata.deletionTimestamp) return;
    const status = buildPodStatus(cur.status, this.facts, this.inits, this.apps);
    const schedule = !this.facts.unschedulable && cur.spec?.nodeName !== this.deps.nodeName;
    if (isDeepStrictEqual(cur.status, status) && !schedule) return;
    if (schedule) cur.spec = { ...cur.spec, nodeName: this.deps.nodeName };
    cur.status = status;
    this.deps.store.replace(PODS, cur);
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
    for (let problem = this.volumeProblem(); problem && !this.stopping; problem = this.volumeProblem()) {
      if (this.facts.unschedulable !== problem) {
        this.facts.unschedulable = problem;
        this.writeStatus();
        this.deps.events.record(this.pod, 'Warning', 'FailedScheduling', problem);
      }
      await this.sleep(300);
    }
    if (this.stopping) return;
    this.facts.unschedulable = undefined;
    this.facts.startTime = nowStamp();
    this.writeStatus();
    this.event('Normal', 'Scheduled', `Successfully assigned ${this.namespace}/${this.name} to ${this.deps.nodeName}`);
    for (const c of this.inits) {
      if (!(await this.runInit(c))) return;
    }
    for (const c of this.apps) c.state = { waiting: { reason: 'ContainerCreating' } };
    this.writeStatus();
    await Promise.all(this.apps.map((c) => this.runApp(c)));
  }

  private async runInit(c: ContainerRuntime): Promise<boolean> {
    while (!this.stopping) {
      const exit = await this.runOnce(c);
      if (exit === undefined) return false;
      if (exit === 0) return true;
      if (this.facts.restartPolicy === 'Never') return false;
      await this.backoff(c);
    }
    return false;
  }

  private async runApp(c: ContainerRuntime): Promise<void> {
    while (!this.stopping) {
      const exit = await this.runOnce(c);
      if (exit === undefined) return;
      if (this.facts.restartPolicy === 'Never' || (this.facts.restartPolicy === 'OnFailure' && exit === 0)) return;
      await this.backoff(c);
    }
  }

  private async backoff(c: ContainerRuntime): Promise<void> {
    const delay = Math.min(1000 * 2 ** c.restartCount, 10_000);
    c.lastState = c.state;
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${delay / 1000}s restarting failed container=${c.name} pod=${this.name}_${this.namespace}(${this.uid})` } };
    this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.name}_${this.namespace}(${this.uid})`, c);
    this.writeStatus();
    await this.sleep(delay);
    c.restartCount += 1;
  }

  private async ensureImage(c: ContainerRuntime): Promise<{ id: string; user: string } | undefined> {
    for (let attempt = 0; !this.stopping; attempt++) {
      let img = await localImage(this.deps.docker, c.image);
      let why = 'the image is not present on the test Docker engine, and kube-sim never pulls from registries other than loopback ones';
      if (!img && isLoopbackRegistry(c.image)) {
        this.event('Normal', 'Pulling', `Pulling image "${c.image}"`, c);
        try {
          await pullLoopback(this.deps.docker, c.image);
          img = await localImage(this.deps.docker, c.image);
        } catch (err) {
          why = (err as Error).message;
        }
      }
      if (img) {
        c.imageID = `docker://${img.id}`;
        this.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c);
        return img;
      }
      const message = `Failed to pull image "${c.image}": ${why}`;
      c.state = { waiting: { reason: 'ErrImagePull', message } };
      this.event('Warning', 'Failed', message, c);
      this.event('Warning', 'Failed', 'Error: ErrImagePull', c);
      this.writeStatus();
      await this.sleep(2000);
      if (this.stopping) return undefined;
      c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
      this.event('Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c);
      this.event('Warning', 'Failed', 'Error: ImagePullBackOff', c);
      this.writeStatus();
      await this.sleep(Math.min(2000 * 2 ** attempt, 20_000));
    }
    return undefined;
  }

  private async prepare(c: ContainerRuntime, imageUser: string): Promise<Awaited<ReturnType<typeof prepareContainer>> | undefined> {
    const ns = this.namespace;
    const labels = {
      [LABEL_INSTANCE]: this.deps.instanceId, 'kube-sim/pod-uid': this.uid, 'kube-sim/namespace': ns, 'kube-sim/pod': this.name,
      'kube-sim/container': c.name, 'io.kubernetes.pod.name': this.name, 'io.kubernetes.pod.namespace': ns,
      'io.kubernetes.pod.uid': this.uid, 'io.kubernetes.container.name': c.name,
    };
    const name = `k8s_${c.name}_${this.name}_${ns}_${this.uid}_${c.restartCount}`;
    while (!this.stopping) {
      try {
        return await prepareContainer(this.deps.store, this.deps.volumes, this.pod, this.spec(c), name, labels, imageUser, this.claimUids);
      } catch (err) {
        const message = (err as Error).message;
        if (err instanceof MountWaitError) {
          c.state = { waiting: { reason: 'ContainerCreating' } };
          this.event('Warning', 'FailedMount', message);
        } else {
          c.state = { waiting: { reason: err instanceof ConfigError ? 'CreateContainerConfigError' : 'CreateContainerError', message } };
          this.event('Warning', 'Failed', `Error: ${message}`, c);
        }
        this.writeStatus();
        await this.sleep(1000);
      }
    }
    return undefined;
  }

  /** Creates, starts and waits for one run of a container; undefined when the pod is stopping. */
  private async runOnce(c: ContainerRuntime): Promise<number | undefined> {
    const img = await this.ensureImage(c);
    if (!img) return undefined;
    const prepared = await this.prepare(c, img.user);
    if (!prepared) return undefined;
    if (prepared.skipped.length && !this.warned.has(c.name)) {
      this.warned.add(c.name);
      this.event('Warning', 'FailedMount', `kube-sim does not mount volume(s) ${prepared.skipped.join(', ')}: only persistentVolumeClaim, emptyDir, secret and configMap volumes are supported`, c);
    }
    let container: Docker.Container;
    try {
      container = await this.deps.docker.createContainer(prepared.options);
      this.created.add(container.id);
      if (prepared.files.length) await container.putArchive(await tarOf(prepared.files), { path: '/' });
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      c.state = { waiting: { reason: 'CreateContainerError', message } };
      this.event('Warning', 'Failed', `Error: ${message}`, c);
      this.writeStatus();
      await this.sleep(2000);
      return this.stopping ? undefined : this.runOnce(c);
    }
    if (c.previousContainerId) void this.removeContainer(c.previousContainerId);
    c.previousContainerId = c.containerId;
    c.containerId = container.id;
    this.event('Normal', 'Created', `Created container ${c.name}`, c);
    const startedAt = nowStamp();
    try {
      await container.start();
    } catch (err) {
      const message = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
      c.state = { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z', finishedAt: nowStamp(), containerID: `docker://${container.id}` } };
      this.event('Warning', 'Failed', `Error: ${message}`, c);
      this.writeStatus();
      return this.stopping ? undefined : 128;
    }
    c.state = { running: { startedAt } };
    this.event('Normal', 'Started', `Started container ${c.name}`, c);
    this.writeStatus();
    if (this.stopping) await container.stop({ t: 0 }).catch(() => undefined);
    await container.wait().catch(() => undefined);
    if (this.stopping) return undefined;
    const info = await container.inspect().catch(() => undefined);
    const exitCode = info?.State.ExitCode ?? 137;
    const reason = info?.State.OOMKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    const finishedAt = info?.State.FinishedAt ? `${info.State.FinishedAt.slice(0, 19)}Z` : nowStamp();
    c.state = { terminated: { exitCode, reason, startedAt, finishedAt, containerID: `docker://${container.id}` } };
    this.writeStatus();
    return exitCode;
  }

  private async removeContainer(id: string): Promise<void> {
    await this.deps.docker.getContainer(id).remove({ force: true, v: false }).catch(() => undefined);
    this.created.delete(id);
  }

  /** Stops the containers (SIGTERM, SIGKILL after the grace period), removes them and, if asked, the pod object. */
  terminate(graceSeconds: number, removeFromApi: boolean): Promise<void> {
    this.terminating ??= (async () => {
      this.stopping = true;
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
