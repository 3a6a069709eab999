import { posix } from 'node:path';
import { LIMITS, capWarnings } from '../config/limits';
import { parseYamlSource } from '../config/yaml-source';
import { parseEnvFile } from './env-file';
import { interpolateDocument } from './interpolate';
import { mergeResource, mergeService } from './merge';
import { RAW_KEY, readResource, readService, type RawResource, type RawService } from './raw';
import { checkReferences } from './references';
import { Reporter, type ComposeFile } from './report';
import { validateComposeSchema } from './schema';
import { finishService, type EnvFileCache } from './service';
import { checkSubset } from './subset';
import type { ComposeProject, SourcePath } from './types';

/** Most files one dockerComposeFile list may name. */
export const MAX_COMPOSE_FILES = 16;
/** Largest compose file (the same bound as a provider file). */
export const MAX_COMPOSE_FILE_BYTES = LIMITS.providerFileBytes;

/** What loadComposeProject reads. */
export interface ComposeInput {
  /** dockerComposeFile entries, in order, already read from the source. */
  files: { path: SourcePath; text: string }[];
  /** Reads a file of the source (env files, `.env`); undefined when it is not there. */
  readFile: (path: SourcePath) => Promise<string | undefined>;
  /** Interpolation variables: the request's env, never the server's process.env. */
  env: Record<string, string>;
  projectName: string;
}

const BOOLEAN_KEYS = new Set(['privileged', 'init', 'tty', 'stdin_open', 'read_only', 'external', 'internal', 'disable', 'required']);
const FREE_MAPS = new Set(['environment', 'labels', 'args']);

/**
 * Compose casts an interpolated string back to the type its key takes (`privileged: ${PRIV:-false}`),
 * so the schema sees a boolean or a number where one belongs.
 */
function castSubstituted(data: unknown, substituted: Set<string>): void {
  for (const joined of substituted) {
    const path = joined.split('\u0000');
    const key = path[path.length - 1]!;
    if (path.some((p) => FREE_MAPS.has(p))) continue;
    let holder: unknown = data;
    for (const seg of path.slice(0, -1)) holder = (holder as Record<string, unknown> | undefined)?.[seg];
    if (!holder || typeof holder !== 'object') continue;
    const value = (holder as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    if (BOOLEAN_KEYS.has(key) && /^(true|false)$/i.test(value)) (holder as Record<string, unknown>)[key] = value.toLowerCase() === 'true';
    else if (key === 'retries' && /^\d+$/.test(value)) (holder as Record<string, unknown>)[key] = Number(value);
  }
}

/**
 * Loads and validates a Compose project from the source: each file parsed with the provider
 * YAML's guards, interpolated, validated against the official Compose schema and against the
 * subset workbay runs, then merged in order and checked as a whole.
 *
 * @throws WorkbayError `config.invalid` with `errors: [{ field, message, line, column }]`.
 */
export async function loadComposeProject(input: ComposeInput): Promise<ComposeProject> {
  const summary = input.files.length === 1 ? `invalid compose file ${input.files[0]!.path}` : 'invalid Docker Compose project';
  const report = new Reporter(input.files.length);
  if (input.files.length === 0) report.issues.add('dockerComposeFile', 'names no compose file', { position: null });
  if (input.files.length > MAX_COMPOSE_FILES) report.issues.add('dockerComposeFile', `names ${input.files.length} files; at most ${MAX_COMPOSE_FILES} are accepted`, { position: null });
  for (const f of input.files) {
    const bytes = Buffer.byteLength(f.text);
    if (bytes > MAX_COMPOSE_FILE_BYTES) report.issues.add('document', `${f.path} has ${bytes} bytes; at most ${MAX_COMPOSE_FILE_BYTES} are accepted`, { position: null });
  }
  report.issues.throwIfAny(summary);

  const projectDir = posix.dirname(posix.normalize(input.files[0]!.path));
  const env = await projectEnv(projectDir, input, report);
  const files: ComposeFile[] = [];
  for (const f of input.files) {
    const source = parseYamlSource(f.text, `invalid compose file ${f.path}`, { merge: true });
    const file: ComposeFile = { path: f.path, source, lines: f.text.split(/\r?\n/), data: {}, cleared: new Map() };
    if (!source.data || typeof source.data !== 'object' || Array.isArray(source.data)) {
      report.at(file, [], 'a compose file is a mapping with services, volumes and networks');
      continue;
    }
    readMergeTags(file, source.data as Record<string, unknown>, report);
    for (const w of source.warnings) if (!/^Unresolved tag: !(reset|override)\b/.test(w)) report.warnings.push(`${f.path}: ${w}`);
    const interpolated = interpolateDocument(source.data, env);
    for (const p of interpolated.problems) report.at(file, p.path, p.message, p.hint);
    for (const name of interpolated.unset) report.warnings.push(`the variable ${name} is not set; an empty string is used (${f.path})`);
    castSubstituted(interpolated.data, interpolated.substituted);
    file.data = interpolated.data as Record<string, unknown>;
    files.push(file);
    const schemaProblems = validateComposeSchema(file.data);
    for (const p of schemaProblems) report.at(file, p.path, p.message, undefined, p.key);
    if (schemaProblems.length > 0 || interpolated.problems.length > 0) continue;
    const subset = checkSubset(file.data);
    for (const p of subset.problems) report.at(file, p.path, p.message, p.hint, true);
    report.warnings.push(...subset.warnings.map((w) => (input.files.length > 1 ? `${w} (${f.path})` : w)));
  }
  report.files = files;
  report.issues.throwIfAny(summary);

  const services: Record<string, RawService> = {};
  const volumes: Record<string, RawResource> = {};
  const networks: Record<string, RawResource> = {};
  for (const file of files) {
    const d = file.data;
    for (const [name, s] of Object.entries((d.services ?? {}) as Record<string, Record<string, unknown>>)) {
      const raw = readService(name, s ?? {}, file, projectDir, report);
      const base = services[name];
      if (base) for (const key of file.cleared.get(name) ?? []) delete base[RAW_KEY[key]!];
      services[name] = base ? mergeService(base, raw) : raw;
    }
    for (const [name, v] of Object.entries((d.volumes ?? {}) as Record<string, unknown>)) volumes[name] = mergeResource(volumes[name], readResource(v));
    for (const [name, n] of Object.entries((d.networks ?? {}) as Record<string, unknown>)) networks[name] = mergeResource(networks[name], readResource(n));
  }
  if (Object.keys(services).length === 0) report.merged(['services'], 'the project has no services');
  for (const [name, s] of Object.entries(services)) {
    for (const e of s.volumes ?? []) {
      if (e.mount.type === 'volume' && !Object.hasOwn(volumes, e.mount.source)) {
        report.at(e.file, e.path, `volume ${JSON.stringify(e.mount.source)} of service ${JSON.stringify(name)} is not declared under the top-level volumes`, `Add it: volumes:\n  ${e.mount.source}: {}`);
      }
    }
  }
  report.issues.throwIfAny(summary);

  const envFiles: EnvFileCache = new Map();
  const ctx = { projectDir, env, readFile: input.readFile, report };
  const project: ComposeProject = {
    name: input.projectName,
    services: {},
    volumes: Object.fromEntries(Object.entries(volumes).map(([k, v]) => [k, { external: v.external ?? false, ...(v.name ? { name: v.name } : {}), labels: v.labels ?? {} }])),
    networks: {},
    files: input.files.map((f) => posix.normalize(f.path)),
    warnings: [],
  };
  for (const [name, raw] of Object.entries(services)) project.services[name] = await finishService(name, raw, ctx, envFiles);
  const needsDefault = Object.values(project.services).some((s) => s.networkMode === undefined && (Object.keys(s.networks).length === 0 || 'default' in s.networks));
  if (needsDefault && !networks.default) networks.default = {};
  for (const [k, n] of Object.entries(networks)) {
    project.networks[k] = { external: n.external ?? false, ...(n.name ? { name: n.name } : {}), internal: n.internal ?? false, labels: n.labels ?? {} };
  }
  for (const s of Object.values(project.services)) {
    // As in Compose, sharing another service's network namespace means starting after it.
    const other = s.networkMode?.startsWith('service:') ? s.networkMode.slice('service:'.length) : undefined;
    if (other && other !== s.name && Object.hasOwn(project.services, other) && !s.dependsOn[other]) s.dependsOn[other] = { condition: 'service_started', required: true };
  }
  checkReferences(project, report);
  report.issues.throwIfAny(summary);
  project.warnings = capWarnings(report.warnings);
  return project;
}

/**
 * Compose's merge tags on a service's keys: `!reset` drops what earlier files set (and the value
 * written here), `!override` replaces it instead of merging. Both clear the earlier value, which
 * is all merging needs; `!reset` values are removed before anything reads them. Other local tags
 * are refused, since their meaning would be lost.
 */
function readMergeTags(file: ComposeFile, data: Record<string, unknown>, report: Reporter): void {
  for (const { path, tag } of file.source.tags) {
    const [section, name, key] = path;
    const known = tag === '!reset' || tag === '!override';
    if (!known || section !== 'services' || typeof name !== 'string' || typeof key !== 'string' || path.length !== 3 || !RAW_KEY[key]) {
      report.at(file, path, known ? `${tag} is supported only on a service's keys (services.NAME.KEY)` : `the YAML tag ${tag} is not supported`, known ? undefined : 'Compose knows !reset and !override; remove the tag.');
      continue;
    }
    const cleared = file.cleared.get(name) ?? new Set<string>();
    cleared.add(key);
    file.cleared.set(name, cleared);
    if (tag === '!reset') delete ((data.services as Record<string, Record<string, unknown>>)[name] ?? {})[key];
  }
}

/** The interpolation variables: the project's `.env` (if any) under the request's env. */
async function projectEnv(projectDir: SourcePath, input: ComposeInput, report: Reporter): Promise<Record<string, string>> {
  const path = posix.join(projectDir, '.env');
  const text = await input.readFile(path);
  if (text === undefined) return { ...input.env };
  if (Buffer.byteLength(text) > MAX_COMPOSE_FILE_BYTES) {
    report.issues.add('.env', `${path} has more than ${MAX_COMPOSE_FILE_BYTES} bytes`, { position: null });
    return { ...input.env };
  }
  const parsed = parseEnvFile(text, input.env);
  for (const p of parsed.problems) report.issues.add('.env', `${path} line ${p.line}: ${p.message}`, { position: { line: p.line, column: 1 } });
  return { ...parsed.values, ...input.env };
}
