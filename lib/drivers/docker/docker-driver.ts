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
import { containerSpec, RUNTIME_LABEL, workspaceLabels } from './container-spec';
import { judgeImage } from './image-policy';
import { listManagedDocker } from './managed';
import { listDockerConfigs } from './config-listing';
import { assertAllowed, DEFAULT_POLICY, judgeContainer, type Policy } from '../../policy';
import { engine, engineStatus, isMissing, translate } from './errors';
import { execIn } from './exec';
import { buildImage, ensureImage } from './image';
import { CREATE_HOOKS, runHookStages } from '../lifecycle';
import { mergeImageLabel } from './metadata';
import { installFeatures } from './features';
import type { FeatureLoaders } from '../../features';
import { makeMarkerDir, readMarkers } from './markers';
import { buildContext, cloneSource, demuxText, hasSourceTree, readRepoDevcontainer, type HelperSettings } from './source';
import { volumeBindsAsMounts } from './podman';
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
  private readonly docker: Docker;
  private readonly handle?: EngineHandle;
  private readonly t: DriverTimings;

  constructor(private readonly opts: DockerDriverOptions, docker?: Docker) {
    this.t = opts.timings ?? DEFAULT_DRIVER_TIMINGS;
    this.handle = docker ? undefined : openEngine(opts);
    this.docker = docker ?? this.handle!.docker;
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
    let info = await this.container(ws);
    await volume;
    let fresh = false;
    if (!info) {
      await cloneSource(this.docker, ws, this.opts.helper, progress);
      const repo = !ws.devcontainer && hasSourceTree(ws.source) ? await readRepoDevcontainer(this.docker, ws, this.opts.helper) : undefined;
      if (hasSourceTree(ws.source) && !ws.devcontainer && !repo) {
        throw new WorkbayError('driver.sourceFailed', `the ${'upload' in ws.source ? 'folder' : 'repository'} has no .devcontainer/devcontainer.json or .devcontainer.json; pass one with the request`);
      }
      const own = resolveDevcontainer(ws, ws.devcontainer ?? repo?.text, repo?.configDir);
      const compose = composeSettingsOf(own);
      if (compose) {
        const dev = await createProject({ docker: this.docker, ws, helper: this.opts.helper, policy: this.opts.policy ?? DEFAULT_POLICY, progress, allowLoopbackFeatures: this.opts.allowLoopbackFeatures, featureLoaders: this.opts.registryCredentials ? { credentialsFor: this.opts.registryCredentials } : {} }, own, compose);
        await this.startCompose(ws, dev, progress);
        return this.boot(dev, progress);
      }
      const base = await this.image(ws, own, progress);
      const image = await installFeatures(this.docker, ws, this.opts.helper, own, base, this.opts.policy ?? DEFAULT_POLICY, progress, this.opts.registryCredentials ? { credentialsFor: this.opts.registryCredentials } : {}, this.opts.allowLoopbackFeatures);
      const allowed = await judgeImage(this.docker, this.opts.policy ?? DEFAULT_POLICY, own, image);
      const resolved = await mergeImageLabel(this.docker, own, image);
      progress({ step: 'create', message: `creating container ${objectName(ws.id)}` });
      const spec = containerSpec(ws, resolved, image, allowed);
      try {
        info = await (await this.docker.createContainer(spec)).inspect();
        fresh = true;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw translate(err, 'creating the container');
        info = await this.container(ws);
      }
      if (!info) throw new WorkbayError('driver.failed', 'the container vanished right after it was created');
    }
    await this.startCompose(ws, info, progress);
    return this.boot(info, progress, fresh);
  }

  /** A Compose dev service: every service of its project first, in dependency order (lib/drivers/docker/compose). */
  private async startCompose(ws: DriverWorkspace, info: Docker.ContainerInspectInfo, progress: Progress): Promise<void> {
    const project = projectOf(info.Config.Labels);
    if (project) await startProject(this.docker, ws, project, this.opts.policy ?? DEFAULT_POLICY, progress);
  }

  private async image(ws: DriverWorkspace, r: ReturnType<typeof resolveDevcontainer>, progress: Progress): Promise<string> {
    if (r.config.image) {
      await ensureImage(this.docker, r.config.image, progress, r.config.runArgs.platform, this.opts.registryCredentials);
      return r.config.image;
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
    return tag;
  }

  /**
   * Starts the container if needed, creates the activity file and runs the hooks that are due. A
   * container this create just made has no markers to read; the hooks' own execs make the marker
   * directory (ADR 0016), and the activity file is touched beside them.
   */
  private async boot(info: Docker.ContainerInspectInfo, progress: Progress, fresh = false): Promise<Observed> {
    const c = this.docker.getContainer(info.Id);
    if (!info.State.Running) {
      progress({ step: 'start', message: 'starting container' });
      try {
        await c.start();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 304) throw translate(err, 'starting the container');
      }
      info = await engine('inspecting the container', () => c.inspect());
    }
    const meta = metaOf(info);
    const touched = meta.overrideCommand ? undefined : execIn(c, ['/bin/sh', '-c', `touch ${ACTIVITY_FILE}`], { user: '0' });
    touched?.catch(() => undefined);
    const hasHooks = [...CREATE_HOOKS, 'postStartCommand' as const].some((h) => meta[h]?.length || meta.contributed?.[h]?.length);
    const markers = fresh || !hasHooks ? new Map<string, string>() : await engine('reading run-once markers', () => readMarkers(c));
    const exec = (argv: string[]) => execIn(c, argv, { user: meta.user, workingDir: meta.workspaceFolder, env: remoteEnvOf(meta) });
    let dir: Promise<void> | undefined;
    const ctx = { exec, progress, markers, makeMarkerDir: () => (dir ??= makeMarkerDir(c)) };
    // Create hooks are keyed to the container id, so a start after a crash mid-create finishes them.
    for (const hook of CREATE_HOOKS) await runHookStages(ctx, hook, meta, info.Id);
    await runHookStages(ctx, 'postStartCommand', meta, info.State.StartedAt);
    await touched;
    return this.observed(info);
  }

  async start(ws: DriverWorkspace, progress: Progress): Promise<Observed> {
    await this.handle?.ready(progress);
    const info = await this.container(ws);
    if (!info) throw new WorkbayError('driver.failed', 'the workspace container does not exist; recreate the workspace');
    // Judged by what the engine holds, so a policy tightened since the container was made still holds.
    if (!info.State.Running && !isComposeContainer(info)) assertAllowed(judgeContainer(this.opts.policy ?? DEFAULT_POLICY, volumeBindsAsMounts(info.HostConfig), objectName(ws.id)), 'the existing container');
    await this.startCompose(ws, info, progress);
    return this.boot(info, progress);
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
  try {
    return JSON.parse(info.Config.Labels?.[RUNTIME_LABEL] ?? '') as RuntimeMeta;
  } catch {
    return { workspaceFolder: info.Config.WorkingDir || '/', remoteEnv: {}, ports: [] };
  }
}
