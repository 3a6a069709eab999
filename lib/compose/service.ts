import { posix } from 'node:path';
import { imageReferenceProblem } from '../config/image-ref';
import { parseEnvFile, type EnvFileProblem } from './env-file';
import type { RawService } from './raw';
import type { Reporter } from './report';
import type { ComposeBuild, ComposeHealthcheck, ComposeService, SourcePath } from './types';
import { resolveSourcePath } from './volumes';

/** What finishing a service needs from the load. */
export interface ServiceContext {
  projectDir: SourcePath;
  /** Interpolation variables: the request's env over the project's `.env`. */
  env: Record<string, string>;
  readFile: (path: SourcePath) => Promise<string | undefined>;
  report: Reporter;
}

/** Env files by path, read and parsed once per load however many services name them. */
export type EnvFileCache = Map<SourcePath, Promise<{ values: Record<string, string>; problems: EnvFileProblem[] } | undefined>>;

/** Largest env file read (the same bound as a compose file). */
const MAX_ENV_FILE_BYTES = 256 * 1024;

async function readEnvFile(path: SourcePath, ctx: ServiceContext): Promise<{ values: Record<string, string>; problems: EnvFileProblem[] } | undefined> {
  const text = await ctx.readFile(path);
  if (text === undefined) return undefined;
  if (Buffer.byteLength(text) > MAX_ENV_FILE_BYTES) return { values: {}, problems: [{ line: 1, message: `the file is larger than ${MAX_ENV_FILE_BYTES} bytes` }] };
  return parseEnvFile(text, ctx.env);
}

/**
 * Turns a merged service into the engine's shape: env files read (each once per load) and
 * overlaid by `environment`, the Dockerfile joined with its context, defaults filled in.
 */
export async function finishService(name: string, raw: RawService, ctx: ServiceContext, envFiles: EnvFileCache): Promise<ComposeService> {
  const at = (...rest: (string | number)[]) => ['services', name, ...rest];
  const { report } = ctx;
  if (raw.image === undefined && raw.build === undefined) {
    report.merged(at(), `service ${JSON.stringify(name)} has neither an image nor a build`, 'Give it image: NAME or build: FOLDER.');
  }
  if (raw.image !== undefined) {
    const problem = imageReferenceProblem(raw.image);
    if (problem) report.merged(at('image'), problem.message, problem.hint);
  }
  const environment: Record<string, string> = {};
  for (const e of raw.envFile ?? []) {
    if (!envFiles.has(e.path)) envFiles.set(e.path, readEnvFile(e.path, ctx));
    const parsed = await envFiles.get(e.path)!;
    if (parsed === undefined) {
      report.at(e.file, e.at, `the env file ${JSON.stringify(e.path)} is not in the repository`);
      continue;
    }
    for (const p of parsed.problems) report.at(e.file, e.at, `${e.path} line ${p.line}: ${p.message}`);
    Object.assign(environment, parsed.values);
  }
  for (const [k, v] of Object.entries(raw.environment ?? {})) {
    if (v !== null) environment[k] = v;
    else if (Object.hasOwn(ctx.env, k)) environment[k] = ctx.env[k]!;
  }
  const service: ComposeService = {
    name,
    environment,
    volumes: (raw.volumes ?? []).map((e) => e.mount),
    dependsOn: raw.dependsOn ?? {},
    capAdd: raw.capAdd ?? [],
    capDrop: raw.capDrop ?? [],
    securityOpt: raw.securityOpt ?? [],
    privileged: raw.privileged ?? false,
    networks: raw.networks ?? {},
    labels: raw.labels ?? {},
    ports: raw.ports ?? [],
    tty: raw.tty ?? false,
    stdinOpen: raw.stdinOpen ?? false,
  };
  if (raw.image !== undefined) service.image = raw.image;
  if (raw.build) {
    const build = finishBuild(raw.build, ctx, (field, message) => report.merged(at('build', field), message));
    if (build) service.build = build;
  }
  if (raw.healthcheck) {
    const h = raw.healthcheck;
    if (!h.test) {
      report.merged(at('healthcheck'), 'a healthcheck needs a test (or disable: true)');
    } else {
      const hc: ComposeHealthcheck = { test: h.test };
      for (const key of ['intervalMs', 'timeoutMs', 'retries', 'startPeriodMs'] as const) if (h[key] !== undefined) hc[key] = h[key];
      service.healthcheck = hc;
    }
  }
  for (const key of ['command', 'entrypoint', 'workingDir', 'user', 'init', 'networkMode'] as const) {
    if (raw[key] !== undefined) (service as unknown as Record<string, unknown>)[key] = raw[key];
  }
  return service;
}

function finishBuild(b: NonNullable<RawService['build']>, ctx: ServiceContext, fail: (field: string, message: string) => void): ComposeBuild | undefined {
  const context = b.context ?? (ctx.projectDir || '.');
  const written = b.dockerfile ?? 'Dockerfile';
  if (written.startsWith('/')) {
    fail('dockerfile', `the Dockerfile ${JSON.stringify(written)} must be a path inside the build context`);
    return undefined;
  }
  const dockerfile = resolveSourcePath(context === '.' ? '' : context, written);
  if (typeof dockerfile !== 'string') {
    fail('dockerfile', dockerfile.error);
    return undefined;
  }
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(b.args ?? {})) {
    if (v !== null) args[k] = v;
    else if (Object.hasOwn(ctx.env, k)) args[k] = ctx.env[k]!;
  }
  const out: ComposeBuild = { context: posix.normalize(context), dockerfile, args };
  if (b.target !== undefined) out.target = b.target;
  return out;
}
