import type { FieldPath } from '../config/issues';

/** A key outside the subset workbay runs: refused (`problems`) or accepted without effect (`warnings`). */
export interface SubsetResult {
  problems: { path: FieldPath; message: string; hint?: string }[];
  warnings: string[];
}

const TOP = new Set(['version', 'name', 'services', 'volumes', 'networks']);
const TOP_IGNORED: Record<string, string> = {
  version: 'the top-level "version" is obsolete and ignored',
  name: 'the top-level "name" is ignored: workbay names the project after the workspace',
};

const SERVICE = new Set([
  'image', 'build', 'environment', 'env_file', 'volumes', 'depends_on', 'healthcheck', 'command', 'entrypoint',
  'working_dir', 'user', 'cap_add', 'cap_drop', 'security_opt', 'privileged', 'init', 'networks', 'network_mode',
  'labels', 'tty', 'stdin_open', 'ports',
]);
/** Accepted and kept for display, but without effect: nothing is published on the engine host. */
const SERVICE_WARNED: Record<string, string> = {
  ports: 'publishes nothing: workbay keeps services off the engine host\'s ports; reach them by service name from the dev container, or with workbay port-forward',
  expose: 'has no effect: services on the project network reach each other\'s ports without it',
  container_name: 'is ignored: workbay names containers after the workspace (the service name still resolves)',
  restart: 'is ignored: workbay starts and stops the project with the workspace',
};
/** What to do instead of some common refused keys (the hint of the refusal). */
const SERVICE_REASONS: Record<string, string> = {
  deploy: 'Swarm and resource settings are not supported; the provider\'s policy sets resources',
  secrets: 'Pass secret values through environment with ${VAR} from the request\'s env (never written to the repository).',
  configs: 'Keep the file in the repository and bind it into the service (./config.yml:/etc/app/config.yml).',
  extends: 'extends is not supported; merge files with several dockerComposeFile entries instead',
  profiles: 'profiles are not supported; choose services with runServices',
  ipc: 'sharing IPC namespaces is not supported',
  pid: 'sharing PID namespaces is not supported',
  devices: 'host devices are not supported',
  volumes_from: 'volumes_from is not supported; use a named volume',
  links: 'links are not needed: services resolve each other by name on the project network',
  external_links: 'external_links are not supported',
  extra_hosts: 'extra_hosts is not supported',
  tmpfs: 'tmpfs mounts are not supported',
};

const BUILD = new Set(['context', 'dockerfile', 'args', 'target']);
const HEALTHCHECK = new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']);
const DEPENDS_ON = new Set(['condition', 'required', 'restart']);
const SERVICE_NETWORK = new Set(['aliases']);
const VOLUME_LONG = new Set(['type', 'source', 'target', 'read_only', 'consistency', 'bind', 'volume']);
const TOP_VOLUME = new Set(['external', 'name', 'labels', 'driver']);
const TOP_NETWORK = new Set(['external', 'name', 'labels', 'internal', 'driver', 'attachable']);

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isExtension = (k: string) => k.startsWith('x-');

/**
 * Checks one schema-valid Compose file against the subset workbay runs over the Engine API. Keys
 * the schema knows but workbay cannot honour are refused by name (their line comes from the path),
 * so a file never runs with something silently missing.
 */
export function checkSubset(data: Record<string, unknown>): SubsetResult {
  const out: SubsetResult = { problems: [], warnings: [] };
  const refuse = (path: FieldPath, message: string, hint?: string) => out.problems.push({ path, message, ...(hint ? { hint } : {}) });
  const only = (value: unknown, allowed: Set<string>, path: FieldPath, what: string) => {
    if (!isMap(value)) return;
    for (const k of Object.keys(value)) {
      if (!allowed.has(k) && !isExtension(k)) refuse([...path, k], `"${k}" in ${what} is not supported by workbay`);
    }
  };
  for (const k of Object.keys(data)) {
    if (isExtension(k)) continue;
    if (!TOP.has(k)) refuse([k], `the top-level "${k}" is not supported by workbay`, SERVICE_REASONS[k]);
    else if (TOP_IGNORED[k]) out.warnings.push(TOP_IGNORED[k]!);
  }
  for (const [name, service] of Object.entries(isMap(data.services) ? data.services : {})) {
    if (!isMap(service)) continue;
    const at = (...rest: (string | number)[]): FieldPath => ['services', name, ...rest];
    for (const k of Object.keys(service)) {
      if (isExtension(k)) continue;
      if (SERVICE_WARNED[k]) {
        out.warnings.push(`services.${name}.${k} ${SERVICE_WARNED[k]}`);
      } else if (!SERVICE.has(k)) {
        refuse(at(k), `"${k}" is not supported by workbay`, SERVICE_REASONS[k]);
      }
    }
    only(service.build, BUILD, at('build'), 'build');
    only(service.healthcheck, HEALTHCHECK, at('healthcheck'), 'healthcheck');
    if (isMap(service.depends_on)) {
      for (const [dep, long] of Object.entries(service.depends_on)) only(long, DEPENDS_ON, at('depends_on', dep), 'depends_on');
    }
    if (isMap(service.networks)) {
      for (const [net, long] of Object.entries(service.networks)) only(long, SERVICE_NETWORK, at('networks', net), 'a service\'s networks');
    }
    if (Array.isArray(service.volumes)) {
      service.volumes.forEach((v, i) => {
        only(v, VOLUME_LONG, at('volumes', i), 'volumes');
        if (isMap(v) && isMap(v.volume)) only(v.volume, new Set(), at('volumes', i, 'volume'), 'volumes[].volume');
        if (isMap(v) && isMap(v.bind)) only(v.bind, new Set(['create_host_path']), at('volumes', i, 'bind'), 'volumes[].bind');
      });
    }
  }
  for (const [section, allowed, driver] of [['volumes', TOP_VOLUME, 'local'], ['networks', TOP_NETWORK, 'bridge']] as const) {
    for (const [name, value] of Object.entries(isMap(data[section]) ? data[section] : {})) {
      only(value, allowed, [section, name], `top-level ${section}`);
      if (isMap(value) && value.driver !== undefined && value.driver !== driver) {
        refuse([section, name, 'driver'], `only the "${driver}" driver is supported`);
      }
    }
  }
  return out;
}
