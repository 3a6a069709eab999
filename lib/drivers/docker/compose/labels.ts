import type Docker from 'dockerode';
import type { ComposeDependency } from '../../../compose/types';

/** The Compose CLI's label keys: with them `docker compose -p <project> ps` and `ls` show workbay's projects. */
export const COMPOSE = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configFiles: 'com.docker.compose.project.config_files',
  workingDir: 'com.docker.compose.project.working_dir',
  version: 'com.docker.compose.version',
  dependsOn: 'com.docker.compose.depends_on',
  volume: 'com.docker.compose.volume',
  network: 'com.docker.compose.network',
} as const;

/** The Compose version whose object layout workbay reproduces (names, labels). */
export const COMPOSE_VERSION = '2.27.0';

/** workbay's own label on every service container: what start and stop need, without the compose files. */
export const SERVICE_LABEL = 'workbay.dev/compose';

/** What a service container says about itself (SERVICE_LABEL). */
export interface ServiceMeta {
  service: string;
  dependsOn: Record<string, ComposeDependency>;
  /** Set on the dev service only. */
  dev?: { shutdownAction: 'none' | 'stopCompose' };
}

/** `<project>-<service>-1`, as Compose v2 names a service's first container. */
export const containerName = (project: string, service: string) => `${project}-${service}-1`;

/** Engine name of a project network or volume: its `name:` if given, else `<project>_<key>`. */
export const objectNameOf = (project: string, key: string, def: { external: boolean; name?: string }) =>
  def.name ?? (def.external ? key : `${project}_${key}`);

/** Image tag of a service built from a Dockerfile (`<project>-<service>`, as Compose v2 tags it). */
export const builtImage = (project: string, service: string) => `${project}-${service.toLowerCase()}:latest`;

/** Labels of one service container (before workbay's workspace labels are added). */
export function serviceLabels(project: string, files: string[], meta: ServiceMeta): Record<string, string> {
  return {
    [COMPOSE.project]: project,
    [COMPOSE.service]: meta.service,
    [COMPOSE.number]: '1',
    [COMPOSE.oneoff]: 'False',
    [COMPOSE.configFiles]: files.join(','),
    [COMPOSE.workingDir]: '/',
    [COMPOSE.version]: COMPOSE_VERSION,
    [COMPOSE.dependsOn]: Object.entries(meta.dependsOn).map(([d, c]) => `${d}:${c.condition}:false`).join(','),
    [SERVICE_LABEL]: JSON.stringify(meta),
  };
}

/** Labels of a project network or volume (before workbay's workspace labels). */
export function objectLabels(project: string, kind: 'volume' | 'network', key: string, own: Record<string, string>): Record<string, string> {
  return { ...own, [COMPOSE.project]: project, [COMPOSE[kind]]: key, [COMPOSE.version]: COMPOSE_VERSION };
}

/** The Compose project a container belongs to, if workbay made it as a service. */
export function projectOf(labels: Record<string, string> | undefined): string | undefined {
  return labels?.[SERVICE_LABEL] ? labels[COMPOSE.project] : undefined;
}

/** The ServiceMeta of a listed or inspected container; undefined for anything else. */
export function serviceMetaOf(labels: Record<string, string> | undefined): ServiceMeta | undefined {
  try {
    const m = JSON.parse(labels?.[SERVICE_LABEL] ?? '') as ServiceMeta;
    return typeof m?.service === 'string' ? { ...m, dependsOn: m.dependsOn ?? {} } : undefined;
  } catch {
    return undefined;
  }
}

/** True when an inspected dev container is the dev service of a Compose project. */
export const isComposeContainer = (info: Docker.ContainerInspectInfo) => projectOf(info.Config.Labels) !== undefined;
