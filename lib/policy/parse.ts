import { parseDuration } from '../config/duration';
import { Issues, formatPath, show, type FieldPath, type SourcePosition } from '../config/issues';
import { cpuMillis, memoryBytes } from './units';
import { parseLifecycle } from './lifecycle';
import { MAX_GIT_SOURCES, parseGitSourcePattern } from './git-sources';
import { parseImagePattern } from './image-refs';
import { parseRegistries } from './registries';
import { DEFAULT_POLICY, type MountType, type Policy, type ResourceRule } from './types';

type Locate = (path: FieldPath) => SourcePosition | undefined;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const POLICY_KEYS = new Set([
  'mounts', 'privileged', 'capabilities', 'securityOptions', 'networks', 'devices', 'hostNamespaces', 'images',
  'gitSources', 'resources', 'maxInactivityTimeout', 'quotas',
]);
const MOUNT_TYPES: MountType[] = ['bind', 'volume', 'tmpfs'];
const CAPABILITY = /^[A-Z][A-Z0-9_]*$/;

/** `NET_ADMIN`, `net_admin` and `CAP_NET_ADMIN` are one capability. */
export function normalizeCapability(cap: string): string {
  return cap.trim().toUpperCase().replace(/^CAP_/, '');
}

/**
 * Reads provider.yaml's `workbay` section (`workbay.policy`) into a Policy; keys left out keep
 * DEFAULT_POLICY's values. Unknown keys are errors, not warnings: a misspelt rule would silently
 * stay at its default, which is never what the admin who wrote it meant.
 *
 * @param locate positions in the YAML, for line and column in every problem.
 * @param how.stored a stored provider file (accepted when it was added): an `images` entry this
 *   release cannot read as a reference is kept and covers nothing (deny), instead of making the
 *   provider unreadable, which would also stop its workspaces from being stopped and deleted.
 */
export function parseWorkbaySection(value: unknown, issues: Issues, locate: Locate = () => undefined, how: { stored?: boolean } = {}): Policy {
  const policy = structuredClone(DEFAULT_POLICY) as Policy;
  if (value === undefined || value === null) return policy;
  const add = (path: FieldPath, message: string, hint?: string) =>
    issues.add(formatPath(path), message, { position: locate(path) ?? null, ...(hint ? { hint } : {}) });
  if (!isObj(value)) {
    add(['workbay'], `expected a mapping with policy and lifecycle keys, got ${show(value)}`);
    return policy;
  }
  for (const key of Object.keys(value)) if (key !== 'policy' && key !== 'lifecycle' && key !== 'registries') add(['workbay', key], `unknown key "workbay.${key}"`, 'The workbay section holds policy: {...}, lifecycle: {...} and registries: {...}.');
  policy.lifecycle = parseLifecycle(value.lifecycle, add);
  const registries = parseRegistries(value.registries, add);
  if (Object.keys(registries).length) policy.registries = registries;
  const p = value.policy;
  if (p === undefined || p === null) return policy;
  const at = (...rest: (string | number)[]): FieldPath => ['workbay', 'policy', ...rest];
  if (!isObj(p)) {
    add(at(), `expected a mapping, got ${show(p)}`);
    return policy;
  }
  for (const key of Object.keys(p)) {
    if (!POLICY_KEYS.has(key)) add(at(key), `unknown policy key "${key}"`, `Known keys: ${[...POLICY_KEYS].join(', ')}.`);
  }
  const list = (key: string, path: FieldPath, raw: unknown, check: (s: string, path: FieldPath) => string | undefined): string[] | undefined => {
    if (raw === undefined || raw === null) return undefined;
    if (!Array.isArray(raw)) {
      add(path, `${key} must be a list, got ${show(raw)}`);
      return undefined;
    }
    const out: string[] = [];
    raw.forEach((item, i) => {
      if (typeof item !== 'string' || item.trim() === '') return add([...path, i], `expected a non-empty string, got ${show(item)}`);
      const problem = check(item, [...path, i]);
      if (problem) add([...path, i], problem);
      else out.push(item.trim());
    });
    return out;
  };
  const absolute = (s: string) => (s.startsWith('/') && !s.split('/').includes('..') ? undefined : `${show(s)} is not an absolute path without ".."`);

  if (p.mounts !== undefined && p.mounts !== null) {
    if (!isObj(p.mounts)) add(at('mounts'), `expected a mapping with types and hostPaths, got ${show(p.mounts)}`);
    else {
      for (const key of Object.keys(p.mounts)) if (key !== 'types' && key !== 'hostPaths') add(at('mounts', key), `unknown key "mounts.${key}"`, 'Known keys: types, hostPaths.');
      const types = list('types', at('mounts', 'types'), p.mounts.types, (s) => (MOUNT_TYPES.includes(s as MountType) ? undefined : `${show(s)} is not a mount type; use bind, volume or tmpfs`));
      if (types) policy.mounts.types = types as MountType[];
      const hostPaths = list('hostPaths', at('mounts', 'hostPaths'), p.mounts.hostPaths, absolute);
      if (hostPaths) policy.mounts.hostPaths = hostPaths;
      if (policy.mounts.hostPaths.length > 0 && !policy.mounts.types.includes('bind')) {
        add(at('mounts', 'hostPaths'), 'hostPaths allow host binds, but mounts.types does not include bind', 'Add bind to mounts.types.');
      }
    }
  }
  if (p.privileged !== undefined && p.privileged !== null) {
    if (typeof p.privileged !== 'boolean') add(at('privileged'), `expected true or false, got ${show(p.privileged)}`);
    else policy.privileged = p.privileged;
  }
  const caps = list('capabilities', at('capabilities'), p.capabilities, (s) => (CAPABILITY.test(normalizeCapability(s)) ? undefined : `${show(s)} is not a capability name such as NET_ADMIN`));
  if (caps) policy.capabilities = caps.map(normalizeCapability);
  const opts = list('securityOptions', at('securityOptions'), p.securityOptions, () => undefined);
  if (opts) policy.securityOptions = opts;
  const nets = list('networks', at('networks'), p.networks, () => undefined);
  if (nets) policy.networks = nets;
  const devices = list('devices', at('devices'), p.devices, absolute);
  if (devices) policy.devices = devices;
  const ns = list('hostNamespaces', at('hostNamespaces'), p.hostNamespaces, (s) => (s === 'pid' || s === 'ipc' ? undefined : `${show(s)} is not pid or ipc`));
  if (ns) policy.hostNamespaces = ns as ('pid' | 'ipc')[];
  const images = list('images', at('images'), p.images, (s) => {
    const read = parseImagePattern(s);
    return typeof read === 'string' && !how.stored ? read : undefined;
  });
  if (images) policy.images = images;
  const gitSources = list('gitSources', at('gitSources'), p.gitSources, (s) => {
    const read = parseGitSourcePattern(s);
    return typeof read === 'string' ? read : undefined;
  });
  if (Array.isArray(p.gitSources) && p.gitSources.length > MAX_GIT_SOURCES) add(at('gitSources'), `lists ${p.gitSources.length} git sources; at most ${MAX_GIT_SOURCES} are accepted`);
  else if (gitSources) policy.gitSources = gitSources;

  if (p.resources !== undefined && p.resources !== null) {
    if (!isObj(p.resources)) add(at('resources'), `expected a mapping with cpus and memory, got ${show(p.resources)}`);
    else {
      for (const key of Object.keys(p.resources)) if (key !== 'cpus' && key !== 'memory') add(at('resources', key), `unknown key "resources.${key}"`, 'Known keys: cpus, memory.');
      policy.resources.cpus = rule(p.resources.cpus, at('resources', 'cpus'), cpuMillis, 'a number of CPUs such as 2, "1.5" or "500m"', add);
      policy.resources.memory = rule(p.resources.memory, at('resources', 'memory'), memoryBytes, 'a Kubernetes quantity such as 4Gi or 512Mi', add);
    }
  }
  if (p.maxInactivityTimeout !== undefined && p.maxInactivityTimeout !== null) {
    try {
      policy.maxInactivityTimeoutSeconds = parseDuration(p.maxInactivityTimeout, formatPath(at('maxInactivityTimeout')));
    } catch (err) {
      add(at('maxInactivityTimeout'), (err as { errors?: { message: string }[] }).errors?.[0]?.message ?? String(err), 'Use a duration such as 8h or 30m.');
    }
  }
  if (p.quotas !== undefined && p.quotas !== null) {
    if (!isObj(p.quotas)) add(at('quotas'), `expected a mapping with workspaces and running, got ${show(p.quotas)}`);
    else {
      for (const [key, v] of Object.entries(p.quotas)) {
        if (key !== 'workspaces' && key !== 'running') add(at('quotas', key), `unknown key "quotas.${key}"`, 'Known keys: workspaces, running.');
        else if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 10_000) add(at('quotas', key), `expected a whole number from 0 (no limit) to 10000, got ${show(v)}`);
        else policy.quotas[key] = v;
      }
    }
  }
  return policy;
}

function rule(raw: unknown, path: FieldPath, read: (v: unknown) => number | undefined, forms: string, add: (path: FieldPath, m: string) => void): ResourceRule {
  if (raw === undefined || raw === null) return {};
  if (!isObj(raw)) {
    add(path, `expected a mapping with default and max, got ${show(raw)}`);
    return {};
  }
  const out: ResourceRule = {};
  for (const [key, v] of Object.entries(raw)) {
    if (key !== 'default' && key !== 'max') {
      add([...path, key], `unknown key "${key}"; use default and max`);
      continue;
    }
    const n = read(v);
    if (n === undefined) add([...path, key], `${show(v)} is not ${forms}`);
    else out[key] = n;
  }
  if (out.default !== undefined && out.max !== undefined && out.default > out.max) add([...path, 'default'], 'default is above max');
  return out;
}
