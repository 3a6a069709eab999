import { posix } from 'node:path';
import type Docker from 'dockerode';
import { loadComposeProject, type ComposeProject, type ComposeService } from '../../../compose';
import { isWorkbayError, WorkbayError } from '../../../errors';
import { assertAllowed, evaluate, type Policy } from '../../../policy';
import type { ResolvedDevcontainer } from '../../devcontainer';
import { objectName, type DriverWorkspace, type Progress } from '../../driver';
import { containerSpec, workspaceLabels } from '../container-spec';
import { engine, isMissing, translate } from '../errors';
import { installFeatures } from '../features';
import { buildImage, ensureImage } from '../image';
import { judgeImage } from '../image-policy';
import { mergeImageLabel } from '../metadata';
import { buildContext, type HelperSettings } from '../source';
import { devServiceSpec } from './dev-spec';
import { judgeServices } from './judge';
import { builtImage, containerName, objectNameOf } from './labels';
import { ensureObjects } from './objects';
import { assertPodmanDns, isPodmanEngine } from './podman';
import { selectServices, startOrder } from './order';
import { attachments, serviceSpec, type ServiceSpec } from './service-spec';
import type { ComposeSettings } from './settings';
import { sourceFileReader } from './source-files';


/** What creating a project needs from the driver. */
export interface ComposeContext {
  docker: Docker;
  ws: DriverWorkspace;
  helper: HelperSettings;
  policy: Policy;
  progress: Progress;
  allowLoopbackFeatures?: boolean;
  /** Registry access for OCI Features (installFeatures' loaders). */
  featureLoaders?: Parameters<typeof installFeatures>[7];
}

/** True when the engine mounts a volume's sub-folder (`VolumeOptions.Subpath`, Engine API 1.45). */
async function subpathSupport(docker: Docker): Promise<boolean> {
  const v = await engine('reading the engine version', () => docker.version());
  const [major = 0, minor = 0] = String(v.ApiVersion ?? '').split('.').map(Number);
  return major > 1 || (major === 1 && minor >= 45);
}

/** Reads the compose files (relative to devcontainer.json, as the spec says) and loads the project. */
export async function loadProject(c: ComposeContext, own: ResolvedDevcontainer, settings: ComposeSettings): Promise<ComposeProject> {
  const readFile = sourceFileReader(c.docker, c.ws, c.helper);
  const files = [];
  for (const [i, f] of settings.files.entries()) {
    const path = posix.normalize(posix.join(own.configDir, f));
    const text = path.startsWith('..') ? undefined : await readFile(path);
    if (text === undefined) {
      throw new WorkbayError('config.invalid', `the compose file ${path} (dockerComposeFile[${i}]) is not in the repository`, {
        errors: [{ field: `dockerComposeFile[${i}]`, message: `${path} not found in the source` }],
      });
    }
    files.push({ path, text });
  }
  try {
    return await loadComposeProject({ files, readFile, env: c.ws.env, projectName: objectName(c.ws.id) });
  } catch (err) {
    // The workspace's statusReason is the message alone: it names the key, and here also its line.
    const first = isWorkbayError(err, 'config.invalid') ? err.errors[0] : undefined;
    if (!first?.line || !isWorkbayError(err)) throw err;
    throw new WorkbayError('config.invalid', `${err.message} (line ${first.line}${first.column ? `, column ${first.column}` : ''})`, { errors: err.errors, cause: err });
  }
}

/** Pulls or builds a service's image; a build's context is read from the source in the workspace volume. */
async function serviceImage(c: ComposeContext, project: string, s: ComposeService): Promise<string> {
  if (!s.build) {
    await ensureImage(c.docker, s.image!, c.progress);
    return s.image!;
  }
  const b = s.build;
  const tag = builtImage(project, s.name);
  c.progress({ step: 'build', message: `building service ${s.name} from ${b.dockerfile}` });
  await buildContext(c.docker, c.ws, c.helper, '.', b.context, b.dockerfile, (tar, dockerfile) =>
    buildImage(c.docker, tar, { tag, dockerfile, args: b.args, target: b.target, labels: workspaceLabels(c.ws) }, c.progress));
  return tag;
}

/** Creates a service container, or adopts the one an earlier attempt made, and joins its further networks. */
async function createService(docker: Docker, spec: ServiceSpec): Promise<string> {
  const name = spec.create.name!;
  let info: Docker.ContainerInspectInfo;
  try {
    info = await (await docker.createContainer(spec.create)).inspect();
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 409) throw translate(err, `creating container ${name}`);
    info = await engine(`inspecting container ${name}`, () => docker.getContainer(name).inspect());
  }
  for (const a of spec.connect) {
    if (info.NetworkSettings.Networks?.[a.network]) continue;
    await engine(`connecting ${name} to ${a.network}`, () => docker.getNetwork(a.network).connect({ Container: info.Id, EndpointConfig: { Aliases: a.aliases } }));
  }
  return info.Id;
}

/** The project networks and volumes the chosen services use (keys before prefixing). */
function usedKeys(project: ComposeProject, order: string[]): { networks: Set<string>; volumes: Set<string> } {
  const services = order.map((n) => project.services[n]!);
  return {
    networks: new Set(services.flatMap((s) => (s.networkMode ? [] : Object.keys(s.networks).length ? Object.keys(s.networks) : ['default']))),
    volumes: new Set(services.flatMap((s) => s.volumes.flatMap((v) => (v.type === 'volume' ? [v.source] : [])))),
  };
}

/** The services that join each project network (engine names), for the Podman DNS check. */
function servicesByNetwork(project: ComposeProject, order: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of order) for (const a of attachments(project, project.services[n]!)) out.set(a.network, [...(out.get(a.network) ?? []), n]);
  return out;
}

/** The policy's verdict on the services as they will be created (container names stand in for the ids of `service:x`). */
function judgeDraft(c: ComposeContext, project: ComposeProject, order: string[], keys: { networks: Set<string>; volumes: Set<string> }, subpaths: boolean) {
  const names = Object.fromEntries(order.map((n) => [n, containerName(project.name, n)]));
  const owned = (defs: Record<string, { external: boolean; name?: string }>, used: Set<string>) =>
    [...used].filter((k) => !defs[k]?.external).map((k) => objectNameOf(project.name, k, defs[k] ?? { external: false }));
  const own = new Set([...Object.values(names), ...owned(project.networks, keys.networks), ...owned(project.volumes, keys.volumes)]);
  return judgeServices(c.policy, order.map((n) => {
    const s = project.services[n]!;
    const spec = serviceSpec({ ws: c.ws, project, image: '', ids: names, subpaths }, s);
    return { service: n, hostConfig: spec.create.HostConfig ?? {}, networks: spec.connect.map((a) => a.network), ...(s.build ? { built: true } : { image: s.image }) };
  }), objectName(c.ws.id), own);
}

/**
 * Creates a Compose project on the engine for a workspace: loads and validates the compose files,
 * judges every service with the provider's policy before anything is created, pulls or builds the
 * images (Features and the image's metadata on the dev service), then makes the networks, volumes
 * and containers (adopting what an earlier attempt made). Nothing is started here: startProject
 * starts them in dependency order and the driver boots the dev container.
 *
 * @returns the dev service's container.
 */
export async function createProject(c: ComposeContext, own: ResolvedDevcontainer, settings: ComposeSettings): Promise<Docker.ContainerInspectInfo> {
  if ('image' in c.ws.source) {
    throw new WorkbayError('config.invalid', 'a Docker Compose devcontainer needs a git source: the compose files are read from the repository', {
      errors: [{ field: 'dockerComposeFile', message: 'use source.git' }],
    });
  }
  const project = await loadProject(c, own, settings);
  for (const w of project.warnings) c.progress({ step: 'create', message: `compose: ${w}` });
  const order = startOrder(project.services, selectServices(project.services, settings.service, settings.runServices));
  const subpaths = await subpathSupport(c.docker);
  const keys = usedKeys(project, order);
  // Judged before any pull, build or create, so a refusal leaves nothing behind.
  assertAllowed(evaluate(c.policy, { devcontainer: own.config }), 'this devcontainer.json');
  assertAllowed(judgeDraft(c, project, order, keys, subpaths), 'the Docker Compose services');

  const images: Record<string, string> = {};
  for (const n of order) images[n] = await serviceImage(c, project.name, project.services[n]!);
  const base = images[settings.service]!;
  const devImage = await installFeatures(c.docker, c.ws, c.helper, own, base, c.policy, c.progress, c.featureLoaders ?? {}, c.allowLoopbackFeatures);
  const allowed = await judgeImage(c.docker, c.policy, own, devImage);
  const resolved = await mergeImageLabel(c.docker, own, devImage);
  const devCreate = containerSpec(c.ws, resolved, devImage, allowed);

  await ensureObjects(c.docker, c.ws, project, keys);
  if (await isPodmanEngine(c.docker)) await assertPodmanDns(c.docker, servicesByNetwork(project, order));
  const ids: Record<string, string> = {};
  let dev: string | undefined;
  for (const n of order) {
    const s = project.services[n]!;
    const isDev = n === settings.service;
    c.progress({ step: 'create', message: `creating container ${containerName(project.name, n)}` });
    let spec = serviceSpec({ ws: c.ws, project, image: images[n]!, ids, subpaths, ...(isDev ? { dev: { shutdownAction: settings.shutdownAction } } : {}) }, s);
    if (isDev) spec = devServiceSpec(spec, devCreate, resolved.workspaceFolder, resolved.config.overrideCommand);
    ids[n] = await createService(c.docker, spec);
    if (isDev) dev = ids[n];
  }
  try {
    return await c.docker.getContainer(dev!).inspect();
  } catch (err) {
    if (isMissing(err)) throw new WorkbayError('driver.failed', 'the dev service container vanished right after it was created');
    throw translate(err, 'inspecting the dev service container');
  }
}
