import type Docker from 'dockerode';
import { WorkbayError } from '../../errors';
import { resolveDevcontainer, remoteEnvOf, type RuntimeMeta } from '../devcontainer';
import {
  ACTIVITY_FILE, LABELS, objectName,
  type ConnectionInfo, type Driver, type DriverWorkspace, type ExecOptions, type ExecResult, type Observed, type Progress,
  type AttachIO, type AttachOptions, type AttachSession,
} from '../driver';
import { readFileFrom } from './archive';
import { attachContainer } from './attach';
import { composeSettingsOf, createProject, isComposeContainer, projectOf, removeLabelled, startProject, stopProject } from './compose';
import { containerSpec, workspaceLabels } from './container-spec';
import { judgeImage } from './image-policy';
import { listManagedDocker } from './managed';
import { listDockerConfigs } from './config-listing';
import { assertAllowed, DEFAULT_POLICY, judgeContainer, type Policy } from '../../policy';
import { engine, engineStatus, isMissing, nameEngineErrors, translate } from './errors';
import { execIn } from './exec';
import { buildImage, ensureImage } from './image';
import { mergeImageLabel } from './metadata';
import { installFeatures } from './features';
import type { FeatureLoaders } from '../../features';
import { bootContainer, metaOfLabels, type BootTarget } from './boot';
import { buildContext, cloneSource, demuxText, hasSourceTree, readRepoDevcontainer, type HelperSettings } from './source';
import { isPodmanPath, volumeBindsAsMounts } from './podman';
import { knownPodmanEngine } from './compose/podman';
import { removeVolume } from './volumes';
import { cliEnv, cliPrefix, openEngine, type DockerTarget, type EngineHandle } from './target';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../timings';

/** Options of the Docker driver, resolved by the workspace service from the provider. */
export interface DockerDriverOptions extends DockerTarget {
  helper: HelperSettings;
  /** The provider's policy, judged on the merged configuration before a container is created (default: DEFAULT_POLICY). */
  policy?: Policy;
  /** Features may come from loopback registries (WORKBAY_ALLOW_LOOPBACK_FEATURES, embedded tests only). */
  allowLoopbackFeatures?: boolean;
  /** Credentials of private Feature registries (the provider's `workbay.registries`), fetched at first use. */
  registryCredentials?: FeatureLoaders['credentialsFor'];
  /** Timeouts and retry counts (default: DEFAULT_DRIVER_TIMINGS). */
  timings?: DriverTimings;
}

/** The Docker driver (DESIGN §4): a named volume for the workspace folder, one labelled container. */
export class DockerDriver implements Driver {
  readonly kind = 'docker' as const;
  readonly policy: Policy;
  private readonly docker: Docker;
  private readonly handle?: EngineHandle;
  private readonly t: DriverTimings;

  constructor(private readonly opts: DockerDriverOptions, docker?: Docker) {
    this.t = opts.timings ?? DEFAULT_DRIVER_TIMINGS;
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.handle = docker ? undefined : openEngine(opts);
    this.docker = docker ?? this.handle!.docker;
    // The provider's `path`, else what a Compose up already asked the engine: never a call of its own.
    nameEngineErrors(this.docker, () => (isPodmanPath(opts.cliPath) || knownPodmanEngine(this.docker) ? 'Podman' : 'Docker'));
  }

  /** Releases the engine connection (the SSH connection of an ssh:// target). */
  async close(): Promise<void> {
    await this.handle?.close();
  }

  private async container(ws: DriverWorkspace): Promise<Docker.ContainerInspectInfo | undefined> {
    const list = await engine('listing containers', () => this.docker.listContainers({
      all: true, filters: { label: [`${LABELS.workspaceId}=${ws.id}`, `${LABELS.devcontainerId}=${ws.id}`] },
    }));
    const found = list[0];
    if (!found) return undefined;
    try {
      return await this.docker.getContainer(found.Id).inspect();
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw translate(err, 'inspecting the container');
    }
  }

  private observed(info: Docker.ContainerInspectInfo): Observed {
    const meta = metaOf(info);
    const s = info.State;
    const state = s.Running && !s.Restarting ? 'running' : s.Status === 'exited' || s.Status === 'created' || s.Status === 'dead' ? 'stopped' : 'busy';
    return { state, ref: { containerId: info.Id, container: info.Name.replace(/^\//, ''), volume: objectName(info.Config.Labels?.[LABELS.workspaceId] ?? '') }, workspaceFolder: meta.workspaceFolder, user: meta.user, ...(state === 'stopped' ? { exitCode: s.ExitCode } : {}) };
  }

  async imageMetadata(image: string): Promise<string | undefined> {
    // Best effort: the authoritative check runs after pull or build (judgeImage).
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), this.t.imageInspectTimeoutMs).unref());
    const info = await Promise.race([this.docker.getImage(image).inspect().catch(() => undefined), timeout]);
    return info?.Config?.Labels?.[LABELS.metadata];
  }

  listManaged(instance: string) {
    return listManagedDocker(this.docker, instance);
  }

  async listConfigs(source: { url: string; ref?: string }) {
    await this.handle?.ready(() => undefined);
    return listDockerConfigs(this.docker, this.opts.helper, source);
  }

  async find(ws: DriverWorkspace): Promise<Observed | undefined> {
    const info = await this.container(ws);
    return info && this.observed(info);
  }

  async create(ws: DriverWorkspace, progress: Progress): Promise<Observed> {
    await this.handle?.ready(progress);
    // The volume is made while the engine is asked about the container; both are needed before a create.
    const volume = engine('creating the workspace volume', () => this.docker.createVolume({ Name: objectName(ws.id), Labels: workspaceLabels(ws) }));
    volume.catch(() => undefined);
    const info = await this.container(ws);
    await volume;
    if (!info) {
      await cloneSource(this.docker, ws, this.opts.helper, progress);
      const repo = !ws.devcontainer && hasSourceTree(ws.source) ? await readRepoDevcontainer(this.docker, ws, this.opts.helper) : undefined;
      if (hasSourceTree(ws.source) && !ws.devcontainer && !repo) {
        throw new WorkbayError('driver.sourceFailed', `the ${'upload' in ws.source ? 'folder' : 'repository'} has no .devcontainer/devcontainer.json or .devcontainer.json; pass one with the request`);
      }
      const own = resolveDevcontainer(ws, ws.devcontainer ?? repo?.text, repo?.configDir);
      const compose = composeSettingsOf(own);
      if (compose) {
        const dev = await createProject({ docker: this.docker, ws, helper: this.opts.helper, policy: this.policy, progress, allowLoopbackFeatures: this.opts.allowLoopbackFeatures, featureLoaders: this.opts.registryCredentials ? { credentialsFor: this.opts.registryCredentials } : {} }, own, compose);
        return this.bootExisting(ws, dev, progress);
      }
      const base = await this.image(ws, own, progress);
      const image = await installFeatures(this.docker, ws, this.opts.helper, own, base.ref, this.policy, progress, this.opts.registryCredentials ? { credentialsFor: this.opts.registryCredentials } : {}, this.opts.allowLoopbackFeatures);
      // One inspect of the image to run serves the policy and the metadata merge (and the pull check, without Features).
      const facts = image === base.ref && base.info ? base.info : await engine(`inspecting image ${image}`, () => this.docker.getImage(image).inspect());
      const allowed = await judgeImage(this.docker, this.policy, own, image, facts);
      const resolved = await mergeImageLabel(this.docker, own, image, facts);
      progress({ step: 'create', message: `creating container ${objectName(ws.id)}` });
      const spec = containerSpec(ws, resolved, image, allowed);
      let made: Docker.Container;
      try {
        made = await this.docker.createContainer(spec);
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw translate(err, 'creating the container');
        const raced = await this.container(ws);
        if (!raced) throw new WorkbayError('driver.failed', 'the container vanished right after it was created');
        return this.bootExisting(ws, raced, progress);
      }
      // What the create request said is all a boot needs of a container it just made: no inspect before the start.
      await this.startCompose(ws, spec.Labels, progress);
      return this.boot({ id: made.id, labels: spec.Labels ?? {}, workingDir: spec.WorkingDir ?? '/' }, progress, true);
    }
    return this.bootExisting(ws, info, progress);
  }

  /** A container that was there already (or a Compose dev service): its Compose project first, then the boot. */
  private async bootExisting(ws: DriverWorkspace, info: Docker.ContainerInspectInfo, progress: Progress): Promise<Observed> {
    await this.startCompose(ws, info.Config.Labels, progress);
    return this.boot({ info }, progress);
  }

  /** A Compose dev service: every service of its project first, in dependency order (lib/drivers/docker/compose). */
  private async startCompose(ws: DriverWorkspace, labels: Record<string, string> | undefined, progress: Progress): Promise<void> {
    const project = projectOf(labels);
    if (project) await startProject(this.docker, ws, project, this.policy, progress);
  }

  /** The image to run (before Features), with its inspect when that was had on the way. */
  private async image(ws: DriverWorkspace, r: ReturnType<typeof resolveDevcontainer>, progress: Progress): Promise<{ ref: string; info?: Docker.ImageInspectInfo }> {
    if (r.config.image) {
      const info = await ensureImage(this.docker, r.config.image, progress, r.config.runArgs.platform, this.opts.registryCredentials);
      return { ref: r.config.image, info };
    }
    const b = r.config.build!;
    if (!hasSourceTree(ws.source)) {
      throw new WorkbayError('config.invalid', 'a Dockerfile-based devcontainer needs a git source: the repository is the build context', {
        errors: [{ field: 'devcontainer.build', message: 'use source.git, or an image-based devcontainer.json' }],
      });
    }
    const tag = `${objectName(ws.id)}:devcontainer`;
    progress({ step: 'build', message: `building ${b.dockerfile}` });
    await buildContext(this.docker, ws, this.opts.helper, r.configDir, b.context, b.dockerfile, (tar, dockerfile) =>
      buildImage(this.docker, tar, { tag, dockerfile, args: b.args, target: b.target, labels: workspaceLabels(ws), platform: r.config.runArgs.platform, noCache: b.noCache, pull: b.pull }, progress));
    return { ref: tag };
  }

  /** Boots the container (bootContainer) and observes it as the boot left it. */
  private async boot(target: BootTarget, progress: Progress, fresh = false): Promise<Observed> {
    return this.observed(await bootContainer(this.docker, target, progress, fresh));
  }

  async start(ws: DriverWorkspace, progress: Progress): Promise<Observed> {
    await this.handle?.ready(progress);
    const info = await this.container(ws);
    if (!info) throw new WorkbayError('driver.failed', 'the workspace container does not exist; recreate the workspace');
    // Judged by what the engine holds, so a policy tightened since the container was made still holds.
    if (!info.State.Running && !isComposeContainer(info)) assertAllowed(judgeContainer(this.policy, volumeBindsAsMounts(info.HostConfig), objectName(ws.id)), 'the existing container');
    return this.bootExisting(ws, info, progress);
  }

  async stop(ws: DriverWorkspace): Promise<void> {
    const info = await this.container(ws);
    if (info && isComposeContainer(info)) return stopProject(this.docker, ws, projectOf(info.Config.Labels)!, this.t);
    if (!info || !info.State.Running) return;
    try {
      await this.docker.getContainer(info.Id).stop({ t: this.t.stopGraceSeconds });
    } catch (err) {
      if (!isMissing(err) && (err as { statusCode?: number }).statusCode !== 304) throw translate(err, 'stopping the container');
    }
  }

  async delete(ws: DriverWorkspace): Promise<void> {
    const list = await engine('listing containers', () => this.docker.listContainers({ all: true, filters: { label: [`${LABELS.workspaceId}=${ws.id}`] } }));
    for (const c of list) {
      await this.docker.getContainer(c.Id).remove({ force: true, v: true }).catch((err) => {
        // 409 "removal already in progress": someone else is deleting it, which is what we want.
        if (!isMissing(err) && engineStatus(err) !== 409) throw translate(err, 'removing the container');
      });
    }
    await removeVolume(this.docker, objectName(ws.id), 'the workspace volume', this.t);
    await this.docker.getImage(`${objectName(ws.id)}:devcontainer`).remove({ force: true }).catch(() => undefined);
    // A Compose project's networks, volumes and built images (nothing else carries the workspace label).
    await removeLabelled(this.docker, ws, objectName(ws.id), this.t);
  }

  private async running(ws: DriverWorkspace): Promise<{ c: Docker.Container; meta: RuntimeMeta }> {
    const info = await this.container(ws);
    if (!info?.State.Running) throw new WorkbayError('workspace.notRunning', 'the workspace is not running; start it first (or pass ?autostart=true)');
    return { c: this.docker.getContainer(info.Id), meta: metaOf(info) };
  }

  async exec(ws: DriverWorkspace, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const { c, meta } = await this.running(ws);
    return execIn(c, argv, { user: opts.user ?? meta.user, workingDir: opts.workingDir ?? meta.workspaceFolder, env: { ...remoteEnvOf(meta), ...opts.env }, timeoutMs: opts.timeoutMs });
  }

  async attach(ws: DriverWorkspace, opts: AttachOptions, io: AttachIO): Promise<AttachSession> {
    const info = await this.container(ws);
    if (!info?.State.Running) throw new WorkbayError('workspace.notRunning', 'the workspace is not running; start it first');
    return attachContainer(this.docker.getContainer(info.Id), metaOf(info), opts, io);
  }

  async lastActivity(ws: DriverWorkspace): Promise<Date | undefined> {
    const info = await this.container(ws);
    if (!info?.State.Running) return undefined;
    const f = await engine('reading the activity file', () => readFileFrom(this.docker.getContainer(info.Id), ACTIVITY_FILE, this.t));
    return f?.mtime;
  }

  async logs(ws: DriverWorkspace, opts: { tail?: number }): Promise<string> {
    const info = await this.container(ws);
    if (!info) return '';
    const read = async () => {
      const buf = (await engine('reading logs', () => this.docker.getContainer(info.Id).logs({ stdout: true, stderr: true, tail: opts.tail ?? 500, follow: false }))) as unknown as Buffer;
      return info.Config.Tty ? buf.toString('utf8') : demuxText(buf);
    };
    let text = await read();
    // Podman's conmon writes a just-started container's first lines to its log a moment late.
    const fresh = () => info.State.Running && Date.now() - Date.parse(info.State.StartedAt) < this.t.lateLogWindowMs;
    for (let i = 0; !text && fresh() && i < this.t.lateLogAttempts; i++) {
      await new Promise((r) => setTimeout(r, this.t.lateLogDelayMs));
      text = await read();
    }
    return text;
  }

  async connection(ws: DriverWorkspace): Promise<ConnectionInfo> {
    const info = await this.container(ws);
    const meta = info ? metaOf(info) : { workspaceFolder: `/workspaces/${ws.name}`, remoteEnv: {}, ports: [] } as RuntimeMeta;
    const attach = [...cliPrefix(this.opts), 'exec', '-it', ...(meta.user ? ['-u', meta.user] : []), '-w', meta.workspaceFolder, info ? info.Name.replace(/^\//, '') : objectName(ws.id), 'sh'];
    return { attach, workspaceFolder: meta.workspaceFolder, user: meta.user, ports: meta.ports, env: cliEnv(this.opts) };
  }
}

function metaOf(info: Docker.ContainerInspectInfo): RuntimeMeta {
  return metaOfLabels(info.Config.Labels, info.Config.WorkingDir);
}
