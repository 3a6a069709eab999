import { parseMount } from '../config/devcontainer-parts';
import { Issues } from '../config/issues';
import type { DevcontainerConfig, DevcontainerMount } from '../config';

/** One thing a configuration asks the engine for, with the field the user wrote it in. */
export type Ask =
  | { field: string; kind: 'privileged' }
  | { field: string; kind: 'capability' | 'securityOpt' | 'network' | 'device' | 'pid' | 'ipc'; value: string }
  | { field: string; kind: 'mount'; mount: DevcontainerMount }
  | { field: string; kind: 'unreadable'; value: string };

const FLAG_KIND: Record<string, 'capability' | 'securityOpt' | 'network' | 'device' | 'pid' | 'ipc'> = {
  '--cap-add': 'capability', '--security-opt': 'securityOpt', '--network': 'network', '--device': 'device', '--pid': 'pid', '--ipc': 'ipc',
};

/**
 * The asks of a parsed devcontainer.json. Each comes with the field it was written in
 * (`devcontainer.runArgs[2]`); settings without a recorded origin are still judged, under the typed
 * field's name, so nothing slips through for want of a position.
 */
export function devcontainerAsks(c: DevcontainerConfig, prefix = 'devcontainer'): Ask[] {
  const asks: Ask[] = c.mounts.map((mount, i) => ({ field: `${prefix}.mounts[${i}]`, kind: 'mount' as const, mount }));
  const r = c.runArgs;
  const origins = r.origins ?? [];
  for (const o of origins) {
    const field = `${prefix}.${o.field}`;
    if (o.flag === '--privileged') asks.push({ field, kind: 'privileged' });
    else if (o.flag === '--mount') {
      const mount = r.mounts?.[o.mount ?? -1];
      if (mount) asks.push({ field, kind: 'mount', mount });
    } else if (FLAG_KIND[o.flag] && o.value !== undefined) asks.push({ field, kind: FLAG_KIND[o.flag]!, value: o.value });
  }
  // Sets keep this linear in the number of entries (the input may be large; DESIGN §9).
  const seenKeys = new Set(asks.map((a) => `${a.kind}\u0000${'value' in a ? a.value : ''}`));
  const seenMounts = new Set(asks.flatMap((a) => (a.kind === 'mount' ? [a.mount] : [])));
  const seen = (kind: string, value = '') => seenKeys.has(`${kind}\u0000${value}`) || (kind === 'privileged' && seenKeys.has('privileged\u0000'));
  if (r.privileged && !seen('privileged')) asks.push({ field: `${prefix}.privileged`, kind: 'privileged' });
  for (const v of r.capAdd) if (!seen('capability', v)) asks.push({ field: `${prefix}.capAdd`, kind: 'capability', value: v });
  for (const v of r.securityOpt) if (!seen('securityOpt', v)) asks.push({ field: `${prefix}.securityOpt`, kind: 'securityOpt', value: v });
  if (r.network && !seen('network', r.network)) asks.push({ field: `${prefix}.runArgs`, kind: 'network', value: r.network });
  for (const v of r.devices ?? []) if (!seen('device', v)) asks.push({ field: `${prefix}.runArgs`, kind: 'device', value: v });
  if (r.pid && !seen('pid', r.pid)) asks.push({ field: `${prefix}.runArgs`, kind: 'pid', value: r.pid });
  if (r.ipc && !seen('ipc', r.ipc)) asks.push({ field: `${prefix}.runArgs`, kind: 'ipc', value: r.ipc });
  for (const mount of r.mounts ?? []) if (!seenMounts.has(mount)) asks.push({ field: `${prefix}.runArgs`, kind: 'mount', mount });
  return asks;
}

/** The security-relevant parts of the image's `devcontainer.metadata` entries, as the spec merges them. */
export interface MetadataRequest {
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  mounts: DevcontainerMount[];
  init: boolean;
}

/** Reads the label (text or parsed); a label that is not a JSON array (or one object) is one unreadable ask. */
export function metadataEntries(label: string | unknown[] | undefined): { entries: unknown[]; unreadable?: string } {
  if (label === undefined) return { entries: [] };
  if (Array.isArray(label)) return { entries: label };
  let parsed: unknown;
  try {
    parsed = JSON.parse(label);
  } catch {
    return { entries: [], unreadable: 'the label is not JSON' };
  }
  if (Array.isArray(parsed)) return { entries: parsed };
  if (parsed && typeof parsed === 'object') return { entries: [parsed] };
  return { entries: [], unreadable: 'the label is not a JSON array of metadata entries' };
}

/** The asks of the image's `devcontainer.metadata` label: one entry asking for privileged is enough. */
export function metadataAsks(label: string | unknown[] | undefined, prefix = 'image.metadata'): Ask[] {
  const { entries, unreadable } = metadataEntries(label);
  const asks: Ask[] = unreadable ? [{ field: prefix, kind: 'unreadable', value: unreadable }] : [];
  entries.forEach((entry, i) => {
    const at = `${prefix}[${i}]`;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return;
    const e = entry as Record<string, unknown>;
    if (e.privileged === true) asks.push({ field: `${at}.privileged`, kind: 'privileged' });
    const strings = (key: string, kind: 'capability' | 'securityOpt') => {
      const v = e[key];
      if (v === undefined) return;
      if (!Array.isArray(v)) return asks.push({ field: `${at}.${key}`, kind: 'unreadable', value: `${key} is not a list` });
      v.forEach((x, j) => asks.push(typeof x === 'string'
        ? { field: `${at}.${key}[${j}]`, kind, value: x }
        : { field: `${at}.${key}[${j}]`, kind: 'unreadable', value: 'not a string' }));
    };
    strings('capAdd', 'capability');
    strings('securityOpt', 'securityOpt');
    if (e.mounts !== undefined) {
      if (!Array.isArray(e.mounts)) asks.push({ field: `${at}.mounts`, kind: 'unreadable', value: 'mounts is not a list' });
      else e.mounts.forEach((m, j) => {
        const issues = new Issues();
        const mount = parseMount(m, `${at}.mounts[${j}]`, issues, []);
        asks.push(mount ? { field: `${at}.mounts[${j}]`, kind: 'mount', mount } : { field: `${at}.mounts[${j}]`, kind: 'unreadable', value: issues.errors[0]?.message ?? 'unreadable mount' });
      });
    }
  });
  return asks;
}

/** What the label adds to the run, merged as the spec says (booleans or-ed, lists concatenated). */
export function metadataRequest(label: string | unknown[] | undefined): MetadataRequest {
  const out: MetadataRequest = { privileged: false, capAdd: [], securityOpt: [], mounts: [], init: false };
  for (const a of metadataAsks(label)) {
    if (a.kind === 'privileged') out.privileged = true;
    else if (a.kind === 'capability') out.capAdd.push(a.value);
    else if (a.kind === 'securityOpt') out.securityOpt.push(a.value);
    else if (a.kind === 'mount') out.mounts.push(a.mount);
  }
  out.init = metadataEntries(label).entries.some((e) => !!e && typeof e === 'object' && (e as Record<string, unknown>).init === true);
  return out;
}
