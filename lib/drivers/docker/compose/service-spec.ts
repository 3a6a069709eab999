import type Docker from 'dockerode';
import { WorkbayError } from '../../../errors';
import type { ComposeProject, ComposeService, ComposeVolumeMount } from '../../../compose/types';
import { objectName, type DriverWorkspace } from '../../driver';
import { workspaceLabels } from '../container-spec';
import { containerName, objectLabels, objectNameOf, serviceLabels, type ServiceMeta } from './labels';

/** One network a service joins, by engine name, with the names it answers to there. */
export interface Attachment { network: string; aliases: string[] }

/** The create request of a service container and the further networks to connect before it starts. */
export interface ServiceSpec {
  create: Docker.ContainerCreateOptions;
  /** The first network is in `create`; the Engine API takes one at create time (before API 1.44). */
  connect: Attachment[];
}

/** What the builder needs besides the service. */
export interface SpecInput {
  ws: DriverWorkspace;
  project: ComposeProject;
  image: string;
  /** Container ids of the services created so far (`network_mode: service:x`). */
  ids: Record<string, string>;
  /** The engine mounts a sub-folder of a volume (`VolumeOptions.Subpath`, API 1.45, Docker 26). */
  subpaths: boolean;
  dev?: ServiceMeta['dev'];
}

const NS = 1_000_000;

/** The project networks a service joins, first one first (Compose: the service's list, else `default`). */
export function attachments(project: ComposeProject, s: ComposeService): Attachment[] {
  if (s.networkMode) return [];
  const joined = Object.keys(s.networks).length ? s.networks : { default: { aliases: [] } };
  return Object.keys(joined).sort().map((key) => ({
    network: objectNameOf(project.name, key, project.networks[key] ?? { external: false }),
    aliases: [...new Set([s.name, ...joined[key]!.aliases])],
  }));
}

function mountOf(input: SpecInput, s: ComposeService, v: ComposeVolumeMount, i: number): Docker.MountSettings {
  const ro = v.readOnly ? { ReadOnly: true } : {};
  switch (v.type) {
    case 'volume':
      return { Type: 'volume', Source: objectNameOf(input.project.name, v.source, input.project.volumes[v.source] ?? { external: false }), Target: v.target, ...ro };
    case 'anonymous':
      // Labelled so that delete (and the orphan collector) find it like every other object of the workspace.
      return { Type: 'volume', Target: v.target, ...ro, VolumeOptions: { Labels: objectLabels(input.project.name, 'volume', '', workspaceLabels(input.ws)) } } as Docker.MountSettings;
    case 'host':
      return { Type: 'bind', Source: v.source, Target: v.target, ...ro };
    case 'source': {
      const sub = v.source.replace(/^\.\/?/, '').replace(/\/+$/, '');
      const whole = { Type: 'volume' as const, Source: objectName(input.ws.id), Target: v.target, ...ro };
      if (!sub) return whole;
      if (!input.subpaths) {
        throw new WorkbayError('config.invalid', `services.${s.name}.volumes[${i}]: binding ./${sub} of the source needs a Docker engine that mounts volume sub-folders (Docker 26, API 1.45); this engine is older`, {
          errors: [{ field: `services.${s.name}.volumes[${i}]`, message: `the source is in the workspace volume, and this engine cannot mount its sub-folder ${sub}`, hint: 'bind the whole source (..:/workspaces/app) and point at the sub-folder, or upgrade the engine' }],
        });
      }
      return { ...whole, VolumeOptions: { Subpath: sub } } as Docker.MountSettings;
    }
  }
}

/** NetworkMode of a service: its first project network, or what `network_mode` says. */
function networkMode(input: SpecInput, s: ComposeService, first?: Attachment): string | undefined {
  if (!s.networkMode) return first?.network;
  if (!s.networkMode.startsWith('service:')) return s.networkMode;
  const other = s.networkMode.slice('service:'.length);
  const id = input.ids[other];
  if (!id) throw new WorkbayError('driver.failed', `service "${s.name}" joins the network of "${other}", which was not created first`);
  return `container:${id}`;
}

/**
 * Pure builder of a service container's create request from the normalised Compose service. Every
 * container carries the workspace's labels and the Compose labels; source binds come from the
 * workspace volume, never from the engine host.
 *
 * @throws WorkbayError `config.invalid` for a source sub-folder bind the engine cannot mount.
 */
export function serviceSpec(input: SpecInput, s: ComposeService): ServiceSpec {
  const nets = attachments(input.project, s);
  const [first, ...rest] = nets;
  const mode = networkMode(input, s, first);
  const h = s.healthcheck;
  const meta: ServiceMeta = { service: s.name, dependsOn: s.dependsOn, ...(input.dev ? { dev: input.dev } : {}) };
  const create: Docker.ContainerCreateOptions = {
    name: containerName(input.project.name, s.name),
    Image: input.image,
    Labels: { ...s.labels, ...serviceLabels(input.project.name, input.project.files, meta), ...workspaceLabels(input.ws) },
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    ...(s.command ? { Cmd: s.command } : {}),
    ...(s.entrypoint ? { Entrypoint: s.entrypoint } : {}),
    ...(s.workingDir ? { WorkingDir: s.workingDir } : {}),
    ...(s.user ? { User: s.user } : {}),
    ...(s.tty ? { Tty: true } : {}),
    ...(s.stdinOpen ? { OpenStdin: true } : {}),
    ...(h ? {
      Healthcheck: {
        Test: h.test,
        ...(h.intervalMs !== undefined ? { Interval: h.intervalMs * NS } : {}),
        ...(h.timeoutMs !== undefined ? { Timeout: h.timeoutMs * NS } : {}),
        ...(h.retries !== undefined ? { Retries: h.retries } : {}),
        ...(h.startPeriodMs !== undefined ? { StartPeriod: h.startPeriodMs * NS } : {}),
      },
    } : {}),
    HostConfig: {
      Mounts: s.volumes.map((v, i) => mountOf(input, s, v, i)),
      ...(mode ? { NetworkMode: mode } : {}),
      ...(s.capAdd.length ? { CapAdd: s.capAdd } : {}),
      ...(s.capDrop.length ? { CapDrop: s.capDrop } : {}),
      ...(s.securityOpt.length ? { SecurityOpt: s.securityOpt } : {}),
      ...(s.privileged ? { Privileged: true } : {}),
      ...(s.init !== undefined ? { Init: s.init } : {}),
    },
    ...(first ? { NetworkingConfig: { EndpointsConfig: { [first.network]: { Aliases: first.aliases } } } } : {}),
  };
  return { create, connect: rest };
}
