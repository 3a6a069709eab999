import type Docker from 'dockerode';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { nowStamp } from './admission';
import { ConfigError, MountWaitError, prepareContainer, type PreparedContainer } from './container-spec';
import { isLoopbackRegistry, localImage, pullLoopback, tarOf } from './docker-util';
import type { EventRecorder } from './controllers';
import type { ContainerRuntime } from './pod-status';
import type { KubeObject, ObjectStore } from './store';
import { LABEL_INSTANCE, type VolumeManager } from './volumes';

/** What a pod worker needs from the simulator. */
export interface KubeletDeps {
  store: ObjectStore;
  docker: Docker;
  volumes: VolumeManager;
  events: EventRecorder;
  instanceId: string;
  nodeName: string;
}

/** The pod worker as the container runner sees it. */
export interface RunnerHost {
  readonly deps: KubeletDeps;
  readonly pod: KubeObject;
  readonly stopping: boolean;
  /** Docker ids of every container created for the pod (removed on termination). */
  readonly created: Set<string>;
  /** PVC uids whose volumes were handed to containers. */
  readonly claimUids: Set<string>;
  sleep(ms: number): Promise<void>;
  event(type: 'Normal' | 'Warning', reason: string, message: string, c?: ContainerRuntime): void;
  writeStatus(): void;
  removeContainer(id: string): Promise<void>;
}

function errorMessage(err: unknown): string {
  return (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
}

/** One run of one container: image check (no pulls except from loopback registries), create, start, wait. */
export class ContainerRunner {
  private warnedSkipped = false;

  constructor(private readonly host: RunnerHost, private readonly spec: IContainer, private readonly c: ContainerRuntime) {}

  private async ensureImage(): Promise<{ id: string; user: string } | undefined> {
    const { host, c } = this;
    for (let attempt = 0; !host.stopping; attempt++) {
      let img = await localImage(host.deps.docker, c.image);
      let why = 'the image is not present on the test Docker engine, and kube-sim never pulls from registries other than loopback ones';
      if (!img && isLoopbackRegistry(c.image) && this.spec.imagePullPolicy !== 'Never') {
        host.event('Normal', 'Pulling', `Pulling image "${c.image}"`, c);
        try {
          await pullLoopback(host.deps.docker, c.image);
          img = await localImage(host.deps.docker, c.image);
        } catch (err) {
          why = (err as Error).message;
        }
      }
      if (img) {
        c.imageID = `docker://${img.id}`;
        host.event('Normal', 'Pulled', `Container image "${c.image}" already present on machine`, c);
        return img;
      }
      if (this.spec.imagePullPolicy === 'Never') {
        const never = `Container image "${c.image}" is not present with pull policy of Never`;
        c.state = { waiting: { reason: 'ErrImageNeverPull', message: never } };
        host.event('Warning', 'ErrImageNeverPull', never, c);
        host.writeStatus();
        await host.sleep(2000);
        continue;
      }
      const message = `Failed to pull image "${c.image}": ${why}`;
      c.state = { waiting: { reason: 'ErrImagePull', message } };
      host.event('Warning', 'Failed', message, c);
      host.event('Warning', 'Failed', 'Error: ErrImagePull', c);
      host.writeStatus();
      await host.sleep(2000);
      if (host.stopping) return undefined;
      c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}"` } };
      host.event('Normal', 'BackOff', `Back-off pulling image "${c.image}"`, c);
      host.event('Warning', 'Failed', 'Error: ImagePullBackOff', c);
      host.writeStatus();
      await host.sleep(Math.min(2000 * 2 ** attempt, 20_000));
    }
    return undefined;
  }

  private async prepare(imageUser: string): Promise<PreparedContainer | undefined> {
    const { host, c } = this;
    const { metadata } = host.pod;
    const labels = {
      [LABEL_INSTANCE]: host.deps.instanceId, 'kube-sim/pod-uid': metadata.uid, 'kube-sim/namespace': metadata.namespace!,
      'kube-sim/pod': metadata.name, 'kube-sim/container': c.name, 'io.kubernetes.pod.name': metadata.name,
      'io.kubernetes.pod.namespace': metadata.namespace!, 'io.kubernetes.pod.uid': metadata.uid, 'io.kubernetes.container.name': c.name,
    };
    const name = `k8s_${c.name}_${metadata.name}_${metadata.namespace}_${metadata.uid}_${c.restartCount}`;
    while (!host.stopping) {
      try {
        return await prepareContainer(host.deps.store, host.deps.volumes, host.pod, this.spec, name, labels, imageUser, host.claimUids);
      } catch (err) {
        const message = (err as Error).message;
        if (err instanceof MountWaitError) {
          c.state = { waiting: { reason: 'ContainerCreating' } };
          host.event('Warning', 'FailedMount', message);
        } else {
          c.state = { waiting: { reason: err instanceof ConfigError ? 'CreateContainerConfigError' : 'CreateContainerError', message } };
          host.event('Warning', 'Failed', `Error: ${message}`, c);
        }
        host.writeStatus();
        await host.sleep(1000);
      }
    }
    return undefined;
  }

  /** Runs the container once; resolves with its exit code, or undefined when the pod is stopping. */
  async runOnce(): Promise<number | undefined> {
    const { host, c } = this;
    const img = await this.ensureImage();
    if (!img) return undefined;
    const prepared = await this.prepare(img.user);
    if (!prepared) return undefined;
    if (prepared.skipped.length && !this.warnedSkipped) {
      this.warnedSkipped = true;
      host.event('Warning', 'FailedMount', `kube-sim does not mount volume(s) ${prepared.skipped.join(', ')}: only persistentVolumeClaim, emptyDir, secret and configMap volumes are supported`, c);
    }
    let container: Docker.Container;
    try {
      container = await host.deps.docker.createContainer(prepared.options);
      host.created.add(container.id);
      if (prepared.files.length) await container.putArchive(await tarOf(prepared.files), { path: '/' });
    } catch (err) {
      c.state = { waiting: { reason: 'CreateContainerError', message: errorMessage(err) } };
      host.event('Warning', 'Failed', `Error: ${errorMessage(err)}`, c);
      host.writeStatus();
      await host.sleep(2000);
      return host.stopping ? undefined : this.runOnce();
    }
    if (c.previousContainerId) void host.removeContainer(c.previousContainerId);
    c.previousContainerId = c.containerId;
    c.containerId = container.id;
    host.event('Normal', 'Created', `Created container ${c.name}`, c);
    const startedAt = nowStamp();
    try {
      await container.start();
    } catch (err) {
      c.state = { terminated: { exitCode: 128, reason: 'StartError', message: errorMessage(err), startedAt: '1970-01-01T00:00:00Z', finishedAt: nowStamp(), containerID: `docker://${container.id}` } };
      host.event('Warning', 'Failed', `Error: ${errorMessage(err)}`, c);
      host.writeStatus();
      return host.stopping ? undefined : 128;
    }
    c.state = { running: { startedAt } };
    host.event('Normal', 'Started', `Started container ${c.name}`, c);
    host.writeStatus();
    if (host.stopping) await container.stop({ t: 0 }).catch(() => undefined);
    await container.wait().catch(() => undefined);
    if (host.stopping) return undefined;
    const info = await container.inspect().catch(() => undefined);
    const exitCode = info?.State.ExitCode ?? 137;
    const reason = info?.State.OOMKilled ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
    const finishedAt = info?.State.FinishedAt ? `${info.State.FinishedAt.slice(0, 19)}Z` : nowStamp();
    c.state = { terminated: { exitCode, reason, startedAt, finishedAt, containerID: `docker://${container.id}` } };
    host.writeStatus();
    return exitCode;
  }
}
