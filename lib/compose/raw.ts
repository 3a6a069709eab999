import type { FieldPath } from '../config/issues';
import type { ComposeFile, Reporter } from './report';
import type { ComposeDependency, ComposeVolumeMount, SourcePath } from './types';
import { ValueError, listOrDict, parseComposeDuration, scalarString, splitShellWords } from './values';
import { parseLongVolume, parseShortVolume, resolveSourcePath } from './volumes';

/** A mount with the file and field it was written in (merging reorders and replaces entries). */
export interface MountEntry {
  mount: ComposeVolumeMount;
  file: ComposeFile;
  path: FieldPath;
}

/** One service as one file writes it, in canonical shapes (lists of pairs become maps) so files merge. */
export interface RawService {
  image?: string;
  build?: { context?: SourcePath; dockerfile?: string; args?: Record<string, string | null>; target?: string };
  environment?: Record<string, string | null>;
  envFile?: { path: SourcePath; file: ComposeFile; at: FieldPath }[];
  command?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  volumes?: MountEntry[];
  dependsOn?: Record<string, ComposeDependency>;
  healthcheck?: { test?: string[]; intervalMs?: number; timeoutMs?: number; retries?: number; startPeriodMs?: number };
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  privileged?: boolean;
  init?: boolean;
  tty?: boolean;
  stdinOpen?: boolean;
  networks?: Record<string, { aliases: string[] }>;
  networkMode?: string;
  labels?: Record<string, string>;
  ports?: string[];
}

/** A top-level volume or network as one file writes it. */
export interface RawResource {
  external?: boolean;
  name?: string;
  internal?: boolean;
  labels?: Record<string, string>;
}

const HEALTH_KINDS = new Set(['CMD', 'CMD-SHELL', 'NONE']);

/** A service key as written -> where readService keeps it (for the `!reset`/`!override` merge tags). */
export const RAW_KEY: Record<string, keyof RawService> = {
  image: 'image', build: 'build', environment: 'environment', env_file: 'envFile', command: 'command',
  entrypoint: 'entrypoint', working_dir: 'workingDir', user: 'user', volumes: 'volumes', depends_on: 'dependsOn',
  healthcheck: 'healthcheck', cap_add: 'capAdd', cap_drop: 'capDrop', security_opt: 'securityOpt',
  privileged: 'privileged', init: 'init', tty: 'tty', stdin_open: 'stdinOpen', networks: 'networks',
  network_mode: 'networkMode', labels: 'labels', ports: 'ports',
};

/**
 * Reads one schema-valid service of one file into canonical shapes. Values that the schema lets
 * through but cannot run (a bad duration, a bind above the repository, a command with `&&`) are
 * reported at their own key and line.
 */
export function readService(name: string, s: Record<string, unknown>, file: ComposeFile, projectDir: SourcePath, report: Reporter): RawService {
  const at = (...rest: (string | number)[]): FieldPath => ['services', name, ...rest];
  const fail = (path: FieldPath, err: unknown) => {
    if (!(err instanceof ValueError)) throw err;
    report.at(file, path, err.message, err.hint);
  };
  const out: RawService = {};
  if (typeof s.image === 'string') out.image = s.image;
  if (s.build !== undefined) out.build = readBuild(s.build, file, projectDir, report, at('build'));
  if (s.environment !== undefined) out.environment = listOrDict(s.environment);
  if (s.env_file !== undefined) {
    const list = [s.env_file].flat() as string[];
    out.envFile = [];
    list.forEach((p, i) => {
      const path = Array.isArray(s.env_file) ? at('env_file', i) : at('env_file');
      const resolved = resolveSourcePath(projectDir, p);
      if (typeof resolved === 'string') out.envFile!.push({ path: resolved, file, at: path });
      else report.at(file, path, resolved.error);
    });
  }
  for (const key of ['command', 'entrypoint'] as const) {
    const v = s[key];
    if (v === undefined || v === null) continue;
    try {
      out[key] = typeof v === 'string' ? splitShellWords(v) : (v as unknown[]).map(String);
    } catch (err) {
      fail(at(key), err);
    }
  }
  if (typeof s.working_dir === 'string') out.workingDir = s.working_dir;
  if (typeof s.user === 'string') out.user = s.user;
  if (Array.isArray(s.volumes)) {
    out.volumes = [];
    s.volumes.forEach((v, i) => {
      const r = typeof v === 'string' ? parseShortVolume(v, projectDir) : parseLongVolume(v as Record<string, unknown>, projectDir);
      if ('mount' in r) out.volumes!.push({ mount: r.mount, file, path: at('volumes', i) });
      else report.at(file, at('volumes', i), r.error, r.hint);
    });
  }
  if (s.depends_on !== undefined) out.dependsOn = readDependsOn(s.depends_on);
  if (s.healthcheck && typeof s.healthcheck === 'object') out.healthcheck = readHealthcheck(s.healthcheck as Record<string, unknown>, (p, e) => fail(at('healthcheck', ...p), e));
  for (const [key, prop] of [['cap_add', 'capAdd'], ['cap_drop', 'capDrop'], ['security_opt', 'securityOpt']] as const) {
    if (Array.isArray(s[key])) out[prop] = (s[key] as unknown[]).map(String);
  }
  for (const [key, prop] of [['privileged', 'privileged'], ['init', 'init'], ['tty', 'tty'], ['stdin_open', 'stdinOpen']] as const) {
    if (typeof s[key] === 'boolean') out[prop] = s[key] as boolean;
  }
  if (s.networks !== undefined) out.networks = readServiceNetworks(s.networks);
  if (typeof s.network_mode === 'string') {
    const mode = s.network_mode;
    if (['none', 'host', 'bridge'].includes(mode) || /^service:[a-zA-Z0-9._-]+$/.test(mode)) out.networkMode = mode;
    else report.at(file, at('network_mode'), `network_mode ${JSON.stringify(mode)} is not supported`, 'Use service:NAME, none, host or bridge.');
  }
  if (s.labels !== undefined) out.labels = Object.fromEntries(Object.entries(listOrDict(s.labels)).map(([k, v]) => [k, v ?? '']));
  if (Array.isArray(s.ports)) out.ports = s.ports.map(portText);
  return out;
}

function readBuild(b: unknown, file: ComposeFile, projectDir: SourcePath, report: Reporter, path: FieldPath): RawService['build'] {
  const build = typeof b === 'string' ? { context: b } : (b as Record<string, unknown>);
  const out: NonNullable<RawService['build']> = {};
  if (typeof build.context === 'string') {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(build.context) || build.context.startsWith('git@')) {
      report.at(file, typeof b === 'string' ? path : [...path, 'context'], 'a remote build context is not supported', 'Build from a folder of the repository.');
    } else {
      const resolved = resolveSourcePath(projectDir, build.context);
      if (typeof resolved === 'string') out.context = resolved;
      else report.at(file, typeof b === 'string' ? path : [...path, 'context'], resolved.error);
    }
  }
  if (typeof build.dockerfile === 'string') out.dockerfile = build.dockerfile;
  if (build.args !== undefined) out.args = listOrDict(build.args);
  if (typeof build.target === 'string') out.target = build.target;
  return out;
}

function readDependsOn(v: unknown): Record<string, ComposeDependency> {
  const out: Record<string, ComposeDependency> = {};
  if (Array.isArray(v)) {
    for (const name of v) out[String(name)] = { condition: 'service_started', required: true };
    return out;
  }
  for (const [name, long] of Object.entries(v as Record<string, Record<string, unknown>>)) {
    out[name] = { condition: long.condition as ComposeDependency['condition'], required: long.required !== false };
  }
  return out;
}

function readHealthcheck(h: Record<string, unknown>, fail: (path: FieldPath, err: unknown) => void): NonNullable<RawService['healthcheck']> {
  const out: NonNullable<RawService['healthcheck']> = {};
  if (h.disable === true) out.test = ['NONE'];
  else if (typeof h.test === 'string') out.test = ['CMD-SHELL', h.test];
  else if (Array.isArray(h.test)) {
    const test = h.test.map(String);
    if (!HEALTH_KINDS.has(test[0] ?? '')) {
      fail(['test'], new ValueError(`a test list starts with "CMD", "CMD-SHELL" or "NONE", not ${JSON.stringify(test[0] ?? '')}`, `Write ["CMD", ${test.map((t) => JSON.stringify(t)).join(', ')}] or a string for the shell.`));
    } else out.test = test;
  }
  for (const [key, prop] of [['interval', 'intervalMs'], ['timeout', 'timeoutMs'], ['start_period', 'startPeriodMs']] as const) {
    if (typeof h[key] !== 'string') continue;
    try {
      out[prop] = parseComposeDuration(h[key] as string);
    } catch (err) {
      fail([key], err);
    }
  }
  if (typeof h.retries === 'number') {
    if (Number.isInteger(h.retries) && h.retries >= 0) out.retries = h.retries;
    else fail(['retries'], new ValueError(`retries must be a whole number, not ${h.retries}`));
  }
  return out;
}

function readServiceNetworks(v: unknown): Record<string, { aliases: string[] }> {
  if (Array.isArray(v)) return Object.fromEntries(v.map((n) => [String(n), { aliases: [] }]));
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([n, long]) => {
    const aliases = long && typeof long === 'object' && Array.isArray((long as { aliases?: unknown }).aliases) ? (long as { aliases: unknown[] }).aliases.map(String) : [];
    return [n, { aliases }];
  }));
}

function portText(p: unknown): string {
  if (p && typeof p === 'object') {
    const o = p as Record<string, unknown>;
    return `${o.published !== undefined ? `${scalarString(o.published)}:` : ''}${scalarString(o.target) ?? ''}${o.protocol ? `/${String(o.protocol)}` : ''}`;
  }
  return String(p);
}

/** A top-level `volumes:`/`networks:` entry (null means all defaults). */
export function readResource(v: unknown): RawResource {
  if (!v || typeof v !== 'object') return {};
  const o = v as Record<string, unknown>;
  const out: RawResource = {};
  // The old `external: {name: x}` form still appears in files; it names the object.
  if (o.external && typeof o.external === 'object') {
    out.external = true;
    const n = (o.external as { name?: unknown }).name;
    if (typeof n === 'string') out.name = n;
  } else if (typeof o.external === 'boolean') out.external = o.external;
  if (typeof o.name === 'string') out.name = o.name;
  if (typeof o.internal === 'boolean') out.internal = o.internal;
  if (o.labels !== undefined) out.labels = Object.fromEntries(Object.entries(listOrDict(o.labels)).map(([k, x]) => [k, x ?? '']));
  return out;
}
