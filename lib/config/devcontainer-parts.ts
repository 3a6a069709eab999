import { Issues, show } from './issues';
import { isRecord } from './provider-keys';
import type {
  DevcontainerHostRequirements, DevcontainerMount, DevcontainerPort, LifecycleCommand,
} from './devcontainer-types';

/**
 * Normalises a lifecycle command with the reference CLI's semantics: a string runs through
 * `/bin/sh -c`, an array is an argv run without a shell, an object is named commands run in
 * parallel (each a string or an array). Empty commands are dropped.
 */
export function normalizeLifecycle(value: unknown, field: string, issues: Issues): LifecycleCommand | undefined {
  if (value === undefined || value === null) return undefined;
  const one = (v: unknown, at: string, name?: string): LifecycleCommand => {
    const named = name === undefined ? {} : { name };
    if (typeof v === 'string') return v.trim() === '' ? [] : [{ ...named, shell: v }];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.length === 0 ? [] : [{ ...named, argv: v }];
    issues.add(at, `expected a command string or an array of strings, got ${show(v)}`);
    return [];
  };
  if (isRecord(value)) return Object.entries(value).flatMap(([name, v]) => one(v, `${field}.${name}`, name));
  return one(value, field);
}

const MOUNT_TYPES = ['bind', 'volume', 'tmpfs'] as const;
const MOUNT_KEYS: Record<string, 'type' | 'source' | 'target' | 'readonly'> = {
  type: 'type', source: 'source', src: 'source', target: 'target', destination: 'target', dst: 'target',
  readonly: 'readonly', ro: 'readonly',
};

/** Reads a mount in Docker's `--mount` string form (`type=volume,source=x,target=/y`) or object form. */
export function parseMount(value: unknown, field: string, issues: Issues, warnings: string[]): DevcontainerMount | undefined {
  let parts: Record<string, unknown>;
  if (typeof value === 'string') {
    parts = {};
    for (const entry of value.split(',')) {
      if (entry.trim() === '') continue;
      const eq = entry.indexOf('=');
      const key = (eq < 0 ? entry : entry.slice(0, eq)).trim();
      const known = Object.hasOwn(MOUNT_KEYS, key) ? MOUNT_KEYS[key] : undefined;
      if (known) parts[known] = eq < 0 ? true : entry.slice(eq + 1).trim();
      else if (key !== 'consistency') warnings.push(`mount option "${key}" in ${field} ignored`);
    }
  } else if (isRecord(value)) {
    parts = value;
  } else {
    issues.add(field, `expected a mount string (type=volume,source=name,target=/path) or an object, got ${show(value)}`);
    return undefined;
  }
  const type = parts.type ?? 'volume';
  if (!MOUNT_TYPES.includes(type as DevcontainerMount['type'])) {
    issues.add(field, `mount type ${show(type)} is not supported; use bind, volume or tmpfs`);
    return undefined;
  }
  const target = parts.target;
  if (typeof target !== 'string' || !(target.startsWith('/') || target.startsWith('${'))) {
    issues.add(field, `mount target must be an absolute path in the container, got ${show(target)}`);
    return undefined;
  }
  const mount: DevcontainerMount = { type: type as DevcontainerMount['type'], target };
  if (typeof parts.source === 'string' && parts.source !== '') mount.source = parts.source;
  else if (type === 'bind') {
    issues.add(field, 'a bind mount needs a source path');
    return undefined;
  }
  const ro = parts.readonly;
  if (ro === true || ro === 'true' || ro === '1') mount.readonly = true;
  return mount;
}

/** Reads `forwardPorts` or `appPort`: a port number, `"host:port"`, or a list of them. */
export function parsePorts(value: unknown, field: string, issues: Issues): DevcontainerPort[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: DevcontainerPort[] = [];
  list.forEach((port: unknown, i) => {
    const at = Array.isArray(value) ? `${field}[${i}]` : field;
    if (typeof port === 'number' && isPort(port)) out.push(port);
    else if (typeof port === 'string' && /^\d+$/.test(port) && isPort(Number(port))) out.push(Number(port));
    else if (typeof port === 'string' && /^[^\s:]+:\d+$/.test(port) && isPort(Number(port.split(':')[1]))) out.push(port);
    else issues.add(at, `expected a port number (1-65535) or "host:port", got ${show(port)}`);
  });
  return out;
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([tgmk]b)?$/i;

/** Reads `hostRequirements` (`cpus`, `memory`/`storage` such as `8gb`); `gpu` is noted and ignored. */
export function parseHostRequirements(value: unknown, issues: Issues, warnings: string[]): DevcontainerHostRequirements | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    issues.add('hostRequirements', `expected an object, got ${show(value)}`);
    return undefined;
  }
  const out: DevcontainerHostRequirements = {};
  for (const [key, v] of Object.entries(value)) {
    const at = `hostRequirements.${key}`;
    if (key === 'cpus') {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 1) out.cpus = v;
      else issues.add(at, `expected a whole number of CPUs (at least 1), got ${show(v)}`);
    } else if (key === 'memory' || key === 'storage') {
      if (typeof v === 'string' && SIZE.test(v)) out[key] = v;
      else issues.add(at, `expected a size such as 8gb, 512mb, 1tb, got ${show(v)}`);
    } else if (key === 'gpu') {
      warnings.push('hostRequirements.gpu is not supported and is ignored');
    } else {
      warnings.push(`unknown key "${at}" ignored`);
    }
  }
  return out;
}

/**
 * Kubernetes resource requests for a workspace's host requirements: `cpus: 4` -> `cpu: "4"`,
 * `memory: 8gb` -> `memory: "8Gi"` (the spec's units are binary), `storage` -> `ephemeralStorage`.
 */
export function hostRequirementsToResources(req: DevcontainerHostRequirements): { cpu?: string; memory?: string; ephemeralStorage?: string } {
  const out: { cpu?: string; memory?: string; ephemeralStorage?: string } = {};
  if (req.cpus !== undefined) out.cpu = String(req.cpus);
  if (req.memory !== undefined) out.memory = sizeToQuantity(req.memory);
  if (req.storage !== undefined) out.ephemeralStorage = sizeToQuantity(req.storage);
  return out;
}

function sizeToQuantity(size: string): string {
  const m = SIZE.exec(size)!;
  const unit = m[2] ? `${m[2][0]!.toUpperCase()}i` : '';
  return `${m[1]}${unit}`;
}
