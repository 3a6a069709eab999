import { posix } from 'node:path';
import type { DevcontainerMount } from '../config';
import { devcontainerAsks, metadataAsks, type Ask } from './asks';
import { normalizeCapability } from './parse';
import { imageAllowed } from './image-refs';
import { decideResources } from './resources';
import type { MergedConfig, Policy, Violation } from './types';

/** Network modes every workspace may use: no network, or the engine's default one. */
const SAFE_NETWORKS = new Set(['none', 'bridge', 'default']);
/** Security options that only take privileges away. */
const SAFE_SECURITY_OPTS = new Set(['no-new-privileges', 'no-new-privileges:true', 'no-new-privileges=true']);
/** Engine objects workbay names this way belong to some workspace; none may mount another's. */
const RESERVED_VOLUME = /^workbay-/;

/** True when `path` is `prefix` or below it (whole path segments; `/data` does not cover `/database`). */
export function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith('/')) return false;
  const p = posix.normalize(path);
  const pre = posix.normalize(prefix);
  if (pre === '/') return true;
  const base = pre.endsWith('/') ? pre.slice(0, -1) : pre;
  return p === base || p.startsWith(`${base}/`);
}

function judgeMount(policy: Policy, m: DevcontainerMount): { rule: string; message: string } | undefined {
  if (!policy.mounts.types.includes(m.type)) {
    return { rule: 'policy.mounts.types', message: `${m.type} mounts are not allowed by this provider (allowed: ${policy.mounts.types.join(', ') || 'none'})` };
  }
  if (m.type === 'bind') {
    const source = m.source ?? '';
    if (!policy.mounts.hostPaths.some((pre) => underPrefix(source, pre))) {
      return {
        rule: 'policy.mounts.hostPaths',
        message: `binding host path ${JSON.stringify(source)} is not allowed` +
          (policy.mounts.hostPaths.length ? ` (allowed under: ${policy.mounts.hostPaths.join(', ')})` : '; this provider allows no host binds'),
      };
    }
  }
  if (m.type === 'volume' && m.source && RESERVED_VOLUME.test(m.source)) {
    return { rule: 'policy.mounts.reserved', message: `volume ${JSON.stringify(m.source)} is a workbay object of another workspace` };
  }
  return undefined;
}

function judge(policy: Policy, a: Ask): { rule: string; message: string } | undefined {
  switch (a.kind) {
    case 'privileged':
      return policy.privileged ? undefined : { rule: 'policy.privileged', message: 'privileged containers are not allowed by this provider' };
    case 'capability': {
      const cap = normalizeCapability(a.value);
      const ok = policy.capabilities.includes('ALL') || policy.capabilities.includes(cap);
      return ok ? undefined : { rule: 'policy.capabilities', message: `adding capability ${cap} is not allowed (allowed: ${policy.capabilities.join(', ') || 'none'})` };
    }
    case 'securityOpt': {
      const v = a.value.trim();
      const ok = SAFE_SECURITY_OPTS.has(v) || policy.securityOptions.some((o) => o === v || (/[=:]$/.test(o) && v.startsWith(o)));
      return ok ? undefined : { rule: 'policy.securityOptions', message: `security option ${JSON.stringify(v)} is not allowed (allowed: ${policy.securityOptions.join(', ') || 'none'})` };
    }
    case 'network':
      return SAFE_NETWORKS.has(a.value) || policy.networks.includes(a.value) ? undefined
        : { rule: 'policy.networks', message: `network mode ${JSON.stringify(a.value)} is not allowed (allowed: ${['none', 'bridge', ...policy.networks].join(', ')})` };
    case 'device':
      return policy.devices.some((pre) => underPrefix(a.value.split(':')[0]!, pre)) ? undefined
        : { rule: 'policy.devices', message: `host device ${JSON.stringify(a.value)} is not allowed (allowed under: ${policy.devices.join(', ') || 'none'})` };
    case 'pid':
    case 'ipc': {
      if (a.value === 'host') {
        return policy.hostNamespaces.includes(a.kind) ? undefined
          : { rule: 'policy.hostNamespaces', message: `sharing the host's ${a.kind} namespace is not allowed` };
      }
      if (a.value.startsWith('container:')) return { rule: 'policy.hostNamespaces', message: `joining another container's ${a.kind} namespace is not allowed` };
      return undefined;
    }
    case 'mount':
      return judgeMount(policy, a.mount);
    case 'unreadable':
      return { rule: 'policy.metadata', message: `cannot be judged (${a.value}), so it is refused` };
  }
}

/** Judges asks gathered elsewhere (a Compose project's, lib/compose composeAsks) by the same rules. */
export function judgeAsks(policy: Policy, asks: Ask[]): Violation[] {
  return asks.flatMap((a) => {
    const v = judge(policy, a);
    return v ? [{ field: a.field, ...v }] : [];
  });
}

/**
 * Judges a merged configuration against a provider's policy: every ask of the devcontainer.json and
 * of the image's `devcontainer.metadata` label, the image reference, and the resources. Pure: the
 * caller decides what a refusal does (403 in the API, Error in a driver).
 *
 * @returns one Violation per refused ask, in the order written; empty when all is allowed.
 */
export function evaluate(policy: Policy, merged: MergedConfig): Violation[] {
  const out: Violation[] = [];
  const asks = [
    ...(merged.devcontainer ? devcontainerAsks(merged.devcontainer) : []),
    ...metadataAsks(merged.metadata),
  ];
  for (const a of asks) {
    const v = judge(policy, a);
    if (v) out.push({ field: a.field, ...v });
  }
  if (merged.image !== undefined && !imageAllowed(policy, merged.image)) {
    out.push({ field: 'image', rule: 'policy.images', message: `image ${JSON.stringify(merged.image)} is not allowed (allowed prefixes: ${policy.images.join(', ')})` });
  }
  if (merged.devcontainer?.build && policy.images.length > 0) {
    out.push({
      field: 'devcontainer.build', rule: 'policy.images',
      message: `a Dockerfile can start FROM any image, and this provider allows only images under ${policy.images.join(', ')}`,
    });
  }
  if (merged.devcontainer) out.push(...decideResources(policy, merged.devcontainer).violations);
  return out;
}

/**
 * Judges a requested inactivity timeout (seconds, 0 = never) against the policy's ceiling.
 * A timeout taken from the provider itself is clamped instead, since the admin set both.
 */
export function judgeTimeout(policy: Policy, seconds: number, requested: boolean): { seconds: number; violation?: Violation } {
  const max = policy.maxInactivityTimeoutSeconds;
  if (max <= 0 || (seconds > 0 && seconds <= max)) return { seconds };
  if (!requested) return { seconds: max };
  return {
    seconds,
    violation: {
      field: 'inactivityTimeout', rule: 'policy.maxInactivityTimeout',
      message: `${seconds === 0 ? 'never stopping' : `${seconds} s`} is longer than this provider's maximum of ${max} s`,
    },
  };
}

/** The parts of a Docker container's HostConfig the policy judges (names as the Engine API spells them). */
export interface EngineHostConfig {
  Privileged?: boolean;
  CapAdd?: string[] | null;
  SecurityOpt?: string[] | null;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  Devices?: { PathOnHost?: string }[] | null;
  Binds?: string[] | null;
  Mounts?: { Type?: string; Source?: string; Target?: string }[] | null;
}

/**
 * Judges a container that already exists (a start of a stopped workspace) by what the engine holds,
 * so a policy tightened since the container was made still holds. `ownVolume` is the workspace's own
 * volume, which is always allowed.
 */
export function judgeContainer(policy: Policy, hc: EngineHostConfig, ownVolume: string): Violation[] {
  const at = (f: string) => `container.HostConfig.${f}`;
  const asks: Ask[] = [];
  if (hc.Privileged) asks.push({ field: at('Privileged'), kind: 'privileged' });
  (hc.CapAdd ?? []).forEach((value, i) => asks.push({ field: at(`CapAdd[${i}]`), kind: 'capability', value }));
  (hc.SecurityOpt ?? []).forEach((value, i) => asks.push({ field: at(`SecurityOpt[${i}]`), kind: 'securityOpt', value }));
  if (hc.NetworkMode) asks.push({ field: at('NetworkMode'), kind: 'network', value: hc.NetworkMode });
  if (hc.PidMode) asks.push({ field: at('PidMode'), kind: 'pid', value: hc.PidMode });
  if (hc.IpcMode && hc.IpcMode !== 'private' && hc.IpcMode !== 'shareable' && hc.IpcMode !== 'none') asks.push({ field: at('IpcMode'), kind: 'ipc', value: hc.IpcMode });
  (hc.Devices ?? []).forEach((d, i) => asks.push({ field: at(`Devices[${i}]`), kind: 'device', value: d.PathOnHost ?? '' }));
  (hc.Binds ?? []).forEach((b, i) => {
    const [source = '', target = '/'] = b.split(':');
    asks.push({ field: at(`Binds[${i}]`), kind: 'mount', mount: { type: source.startsWith('/') ? 'bind' : 'volume', source, target } });
  });
  (hc.Mounts ?? []).forEach((m, i) => {
    if (m.Type === 'volume' && m.Source === ownVolume) return;
    const type = m.Type === 'bind' || m.Type === 'tmpfs' ? m.Type : 'volume';
    asks.push({ field: at(`Mounts[${i}]`), kind: 'mount', mount: { type, target: m.Target ?? '/', ...(m.Source ? { source: m.Source } : {}) } });
  });
  return asks.flatMap((a) => {
    const v = judge(policy, a);
    return v ? [{ field: a.field, ...v }] : [];
  });
}
