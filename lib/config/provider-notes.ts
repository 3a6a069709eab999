import { show } from './issues';
import { isRecord } from './provider-keys';
import type { OptionDef } from './provider-types';

/** What an empty value of an agent field means here, for the warning about options computed by a command. */
const EMPTY_MEANS: Readonly<Record<string, string>> = {
  'agent.kubernetes.namespace': "the kubeconfig context's namespace, else \"default\"",
  'agent.kubernetes.context': "the kubeconfig's current context",
  'agent.kubernetes.config': "the control plane's default kubeconfig (embedded mode only; elsewhere the provider is refused when a workspace starts)",
  'agent.kubernetes.path': 'kubectl',
  'agent.docker.path': 'docker',
  'agent.docker.env.DOCKER_HOST': "the engine's local socket",
  'agent.containerInactivityTimeout': 'no inactivity timeout',
  'agent.kubernetes.persistentVolumeSize': '10Gi',
  'agent.kubernetes.storageClassName': "the cluster's default storage class",
};

/** Settings DevPod knows that the driver does not apply, and what happens instead. */
const NOT_APPLIED: Readonly<Record<string, string>> = {
  'docker.builder': "workbay builds Dockerfiles through the Docker Engine API with the engine's own builder; a buildx builder cannot be chosen there",
  'kubernetes.workspaceVolumeMount': 'workbay mounts the workspace volume at the workspace folder itself (and its run-once markers beside it), never at a parent folder',
  'kubernetes.kubernetesPullSecretsEnabled':
    "workbay does not copy registry credentials from anyone's machine into a pull secret; give the service account imagePullSecrets, or add them in podManifestTemplate",
  'kubernetes.helperResources': 'the helper pods (architecture, git clone) get no resources from it',
};

const REFERENCE = /\$\{([A-Z0-9_]+)\}/g;

function isOff(value: unknown): boolean {
  return value === undefined || value === null || value === '' || value === false || (typeof value === 'string' && /^false$/i.test(value.trim()));
}

/** The agent fields each option is written in, e.g. KUBERNETES_NAMESPACE -> [agent.kubernetes.namespace]. */
function fieldsUsing(agent: unknown, field = 'agent', out = new Map<string, string[]>()): Map<string, string[]> {
  if (typeof agent === 'string') {
    for (const m of agent.matchAll(REFERENCE)) out.set(m[1]!, [...(out.get(m[1]!) ?? []), field]);
  } else if (Array.isArray(agent)) {
    agent.forEach((item, i) => fieldsUsing(item, `${field}[${i}]`, out));
  } else if (isRecord(agent)) {
    for (const [k, v] of Object.entries(agent)) fieldsUsing(v, `${field}.${k}`, out);
  }
  return out;
}

/**
 * A value as it stands before any option is set: each `${NAME}` of an option replaced by its
 * default (empty without one). Tells whether a setting is on unless someone sets its option.
 */
function byDefault(value: unknown, options: Record<string, OptionDef>): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(REFERENCE, (m, name: string) => (Object.hasOwn(options, name) ? (options[name]!.default ?? '') : m));
}

function notApplied(agent: Record<string, unknown>, options: Record<string, OptionDef>, driver: string): string[] {
  const out: string[] = [];
  for (const [path, why] of Object.entries(NOT_APPLIED)) {
    const [section, key] = path.split('.') as [string, string];
    if (section !== driver) continue;
    const holder = agent[section];
    const raw = isRecord(holder) ? holder[key] : undefined;
    if (isOff(raw)) continue;
    const now = byDefault(raw, options);
    const when = isOff(now) ? ` (once ${String(raw)} is set)` : typeof raw === 'string' && raw.includes('${') ? ` (${show(now)} from ${raw})` : ` (${show(raw)})`;
    out.push(`agent.${path}${when} is not applied: ${why}`);
  }
  return out;
}

/**
 * `install` only means something for an ssh:// engine (workbay installs one there when it is
 * missing); on unix:// and tcp:// targets the engine must already run, so say it does nothing.
 */
function installNotes(agent: Record<string, unknown>, options: Record<string, OptionDef>, driver: string): string[] {
  const docker = agent.docker;
  if (driver !== 'docker' || !isRecord(docker) || isOff(byDefault(docker.install, options))) return [];
  const env = isRecord(docker.env) ? docker.env : {};
  const host = byDefault(env.DOCKER_HOST ?? '', options);
  if (typeof host !== 'string' || host.includes('${') || host.startsWith('ssh://')) return [];
  const target = host === '' ? "empty (the control plane's own engine)" : show(host);
  return [`agent.docker.install is not applicable here: DOCKER_HOST is ${target}, and workbay installs an engine only on ssh:// hosts that lack one; on unix:// and tcp:// targets the engine must already run`];
}

function computedOptions(agent: Record<string, unknown>, options: Record<string, OptionDef>): string[] {
  const used = fieldsUsing(agent);
  const out: string[] = [];
  for (const [name, def] of Object.entries(options)) {
    if (!def.command) continue;
    const fields = used.get(name) ?? [];
    const instead = fields.length === 0
      ? 'no agent field uses it'
      : fields.map((f) => `${f} gets ${def.default ? show(def.default) : `"" and so means ${EMPTY_MEANS[f] ?? 'empty'}`}`).join('; ');
    out.push(`option ${name} computes its value with a local command, which workbay never runs: unless the option is set, ${instead}${fallbackNote(name, def.command, fields)}`);
  }
  return out;
}

/**
 * DevPod's namespace commands end in `if [ -z "$NAMESPACE" ]; then NAMESPACE=<fallback>; fi`; when
 * that fallback is not workbay's ("default"), say so and how to match DevPod.
 */
function fallbackNote(name: string, command: string, fields: string[]): string {
  if (!fields.includes('agent.kubernetes.namespace')) return '';
  const m = /if \[ -z "?\$\{?(\w+)\}?"? \];?\s*then\s+\1=([a-z0-9.-]+)/.exec(command);
  if (!m || m[2] === 'default') return '';
  return `; DevPod's command falls back to ${show(m[2])} instead: set ${name} to ${show(m[2])} to match it`;
}

function subOptions(rawOptions: unknown): string[] {
  if (!isRecord(rawOptions)) return [];
  return Object.entries(rawOptions)
    .filter(([, spec]) => isRecord(spec) && spec.subOptionsCommand !== undefined && spec.subOptionsCommand !== null)
    .map(([name]) => `option ${name}: subOptionsCommand is never run, so the options it would add do not exist here; declare them under options`);
}

/**
 * Warnings about DevPod settings workbay reads but treats differently: settings the driver does not
 * apply (said precisely, with what happens instead), options whose value DevPod computes with a
 * local command (with what workbay uses instead), and `subOptionsCommand`.
 */
export function agentNotes(agent: Record<string, unknown>, options: Record<string, OptionDef>, rawOptions: unknown): string[] {
  const driver = agent.driver === 'kubernetes' ? 'kubernetes' : agent.driver === undefined || agent.driver === null || agent.driver === '' || agent.driver === 'docker' ? 'docker' : '';
  return [...notApplied(agent, options, driver), ...installNotes(agent, options, driver), ...computedOptions(agent, options), ...subOptions(rawOptions)];
}
