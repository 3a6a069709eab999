import { z } from 'zod';
import { parseDuration } from './config/duration';
import { WorkbayError } from './errors';
import type { DriverTimings } from './drivers/timings';
import { DEFAULT_UPLOAD_QUOTA, parseByteSize, type UploadQuota } from './uploads/types';

const TABLE = z.string().min(3).max(255).regex(/^[A-Za-z0-9_.-]+$/, 'must be a DynamoDB table name');
const DOCKER_HOST = z.string().regex(/^(unix|tcp|ssh):\/\//, 'must start with unix://, tcp:// or ssh://');

/** Driver timings an operator may set (unset = DEFAULT_DRIVER_TIMINGS); durations such as 30s or 10m. */
const DRIVER_TIMING_ENV = {
  WORKBAY_STOP_GRACE: z.string().optional(),
  WORKBAY_BUILD_TIMEOUT: z.string().optional(),
  WORKBAY_POD_START_TIMEOUT: z.string().optional(),
};

/** The driver timings the environment sets; a bad or zero duration stops the process with the variable's name. */
function driverTimingsFrom(s: { [K in keyof typeof DRIVER_TIMING_ENV]?: string }): Partial<DriverTimings> {
  const seconds = (name: keyof typeof DRIVER_TIMING_ENV, min: number) => {
    const v = s[name];
    if (v === undefined) return undefined;
    const n = parseDuration(v, name);
    if (n < min) throw new WorkbayError('config.invalid', `invalid environment: ${name}: must be at least ${min} s`, { errors: [{ field: name, message: `must be at least ${min} s` }] });
    return n;
  };
  const ms = (n: number | undefined) => (n === undefined ? undefined : n * 1000);
  const t: Partial<DriverTimings> = {
    stopGraceSeconds: seconds('WORKBAY_STOP_GRACE', 0),
    buildTimeoutMs: ms(seconds('WORKBAY_BUILD_TIMEOUT', 1)),
    podStartTimeoutMs: ms(seconds('WORKBAY_POD_START_TIMEOUT', 1)),
  };
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined));
}

const Settings = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKBAY_DATA_DIR: z.string().min(1).default('.workbay'),
  WORKBAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WORKBAY_TABLE: TABLE.default('workbay'),
  DOCKER_HOST: DOCKER_HOST.default('unix:///var/run/docker.sock'),
  WORKBAY_HELPER_IMAGE: z.string().min(1).default('alpine/git:latest'),
  WORKBAY_HELPER_NETWORK: z.string().min(1).optional(),
  WORKBAY_RECONCILE_INTERVAL: z.string().default('2s'),
  WORKBAY_SWEEP_INTERVAL: z.string().default('10s'),
  WORKBAY_RESYNC_INTERVAL: z.string().default('30s'),
  WORKBAY_COLLECT_INTERVAL: z.string().default('5m'),
  WORKBAY_IDLE_WARNING: z.string().default('1m'),
  KUBECONFIG: z.string().optional(),
  WORKBAY_KUBE_TIMEOUT: z.string().default('30s'),
  ...DRIVER_TIMING_ENV,
  WORKBAY_DYNAMODB_ENDPOINT: z.string().regex(/^https?:\/\/[^/\s]+\/?$/, 'must be an http(s) URL such as http://127.0.0.1:8000').optional(),
  AWS_REGION: z.string().min(1).optional(),
  HOME: z.string().optional(),
});

/** Process settings of embedded mode, read once at start. */
export interface EmbeddedSettings {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  table: string;
  /** Engine used by Docker providers that leave DOCKER_HOST empty. */
  dockerHost: string;
  /** Image of helper containers (git clone, file reads); it needs git and sh. */
  helperImage: string;
  /** Network of helper containers (e.g. `host` to reach a git server on loopback). */
  helperNetwork?: string;
  /** How often in-flight work is re-driven, in seconds. */
  reconcileIntervalSeconds: number;
  /** Default kubeconfig for Kubernetes providers with an empty `config` (KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  /** Bound on one Kubernetes API call, in seconds. */
  kubeTimeoutSeconds?: number;
  /** How often embedded mode sweeps for idle workspaces, in seconds. */
  sweepIntervalSeconds: number;
  /** How often embedded mode re-observes a page of settled workspaces for drift, in seconds. */
  resyncIntervalSeconds?: number;
  /** How often embedded mode collects orphaned engine objects, in seconds. */
  collectIntervalSeconds?: number;
  /** How long before an idle stop the `workspace.idle-warning` event goes out, in seconds. */
  idleWarningSeconds: number;
  /** First retry delay after a retryable failure (not from the environment; tests shorten it). */
  retryBaseMs?: number;
  /** Driver timeouts the operator set (WORKBAY_STOP_GRACE, WORKBAY_BUILD_TIMEOUT, WORKBAY_POD_START_TIMEOUT). */
  driverTimings?: Partial<DriverTimings>;
  /** An external DynamoDB to keep the table in instead of the in-process dynalite (WORKBAY_DYNAMODB_ENDPOINT). */
  dynamodbEndpoint?: string;
  /** Region of the external DynamoDB (AWS_REGION, else us-east-1). */
  dynamodbRegion?: string;
}

/** Parses the environment with a schema; a bad value stops the process with the variable's name. */
function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(clean);
  if (!r.success) {
    const errors = r.error.issues.map((i) => ({ field: i.path.join('.') || 'environment', message: i.message }));
    throw new WorkbayError('config.invalid', `invalid environment: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
  return r.data;
}

/** Parses the environment of embedded mode once, at process start. */
export function readSettings(env: Record<string, string | undefined>): EmbeddedSettings {
  const s = parseEnv(Settings, env);
  return {
    port: s.PORT, host: s.HOST, dataDir: s.WORKBAY_DATA_DIR, adminToken: s.WORKBAY_ADMIN_TOKEN, table: s.WORKBAY_TABLE,
    dockerHost: s.DOCKER_HOST, helperImage: s.WORKBAY_HELPER_IMAGE, helperNetwork: s.WORKBAY_HELPER_NETWORK,
    reconcileIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_RECONCILE_INTERVAL, 'WORKBAY_RECONCILE_INTERVAL')),
    sweepIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_SWEEP_INTERVAL, 'WORKBAY_SWEEP_INTERVAL')),
    resyncIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_RESYNC_INTERVAL, 'WORKBAY_RESYNC_INTERVAL')),
    collectIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_COLLECT_INTERVAL, 'WORKBAY_COLLECT_INTERVAL')),
    idleWarningSeconds: parseDuration(s.WORKBAY_IDLE_WARNING, 'WORKBAY_IDLE_WARNING'),
    kubeconfig: s.KUBECONFIG?.split(':')[0] || (s.HOME ? `${s.HOME}/.kube/config` : undefined),
    kubeTimeoutSeconds: parseDuration(s.WORKBAY_KUBE_TIMEOUT, 'WORKBAY_KUBE_TIMEOUT'),
    driverTimings: driverTimingsFrom(s),
    dynamodbEndpoint: s.WORKBAY_DYNAMODB_ENDPOINT, dynamodbRegion: s.AWS_REGION,
  };
}

/** A loopback http endpoint: the only place the store may be pointed at instead of AWS. */
const LOCAL_ENDPOINT = z.string().regex(/^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d+\/?$/, 'must be http://127.0.0.1:<port> (a local DynamoDB for tests)');

const LambdaEnv = z.object({
  WORKBAY_TABLE: TABLE,
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1'),
  WORKBAY_SECRET_PREFIX: z.string().regex(/^[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager name prefix such as workbay/prod/').default('workbay/'),
  WORKBAY_IDLE_WARNING: z.string().default('1m'),
  WORKBAY_HELPER_IMAGE: z.string().min(1).default('alpine/git:latest'),
  WORKBAY_HELPER_NETWORK: z.string().min(1).optional(),
  WORKBAY_DEFAULT_DOCKER_HOST: DOCKER_HOST.optional(),
  WORKBAY_DYNAMODB_ENDPOINT: LOCAL_ENDPOINT.optional(),
  ...DRIVER_TIMING_ENV,
});

/** Process settings of the AWS Lambda functions, read once at cold start. */
export interface LambdaSettings {
  table: string;
  region: string;
  /** Prefix of the Secrets Manager names `aws-sm:` references may use (the IAM grant's prefix). */
  secretPrefix: string;
  idleWarningSeconds: number;
  helperImage: string;
  helperNetwork?: string;
  /**
   * Engine for Docker providers that leave DOCKER_HOST empty. Unset on AWS (there is no local engine,
   * so such a provider fails with a clear error); tests set it to their engine.
   */
  dockerHost?: string;
  /** A loopback DynamoDB (tests); the store then uses static local credentials, never the role's. */
  dynamodbEndpoint?: string;
  /** Driver timeouts the operator set (as in embedded mode). */
  driverTimings?: Partial<DriverTimings>;
}

/** Parses the Lambda environment once; a bad value fails the cold start with the variable's name. */
export function readLambdaSettings(env: Record<string, string | undefined>): LambdaSettings {
  const s = parseEnv(LambdaEnv, env);
  return {
    table: s.WORKBAY_TABLE, region: s.AWS_REGION, secretPrefix: s.WORKBAY_SECRET_PREFIX,
    idleWarningSeconds: parseDuration(s.WORKBAY_IDLE_WARNING, 'WORKBAY_IDLE_WARNING'),
    helperImage: s.WORKBAY_HELPER_IMAGE, helperNetwork: s.WORKBAY_HELPER_NETWORK,
    dockerHost: s.WORKBAY_DEFAULT_DOCKER_HOST, dynamodbEndpoint: s.WORKBAY_DYNAMODB_ENDPOINT,
    driverTimings: driverTimingsFrom(s),
  };
}

/** A byte size such as 500MiB, or 0 (no limit); a bad one stops the process with the variable's name. */
const BYTES_OR_ZERO = z.string().refine((v) => v.trim() === '0' || parseByteSize(v) !== undefined, 'must be a size such as 500MiB (bytes, or with KiB, MiB or GiB), or 0 for no limit');
const bytesOf = (v: string | undefined, fallback: number) => (v === undefined ? fallback : v.trim() === '0' ? 0 : parseByteSize(v)!);

const UploadQuotaEnv = z.object({
  WORKBAY_UPLOAD_QUOTA_COUNT: z.string().regex(/^\s*\d{1,6}\s*$/, 'must be a whole number of uploads, or 0 for no limit').optional(),
  WORKBAY_UPLOAD_QUOTA_BYTES: BYTES_OR_ZERO.optional(),
  WORKBAY_UPLOAD_MIN_FREE: BYTES_OR_ZERO.optional(),
});

/**
 * The per-owner cap on unused uploads (WORKBAY_UPLOAD_QUOTA_COUNT, WORKBAY_UPLOAD_QUOTA_BYTES) and
 * the free space uploads leave on the data dir (WORKBAY_UPLOAD_MIN_FREE); unset = DEFAULT_UPLOAD_QUOTA.
 */
export function readUploadQuota(env: Record<string, string | undefined>): UploadQuota {
  const s = parseEnv(UploadQuotaEnv, env);
  return {
    count: s.WORKBAY_UPLOAD_QUOTA_COUNT === undefined ? DEFAULT_UPLOAD_QUOTA.count : Number(s.WORKBAY_UPLOAD_QUOTA_COUNT),
    bytes: bytesOf(s.WORKBAY_UPLOAD_QUOTA_BYTES, DEFAULT_UPLOAD_QUOTA.bytes),
    minFreeBytes: bytesOf(s.WORKBAY_UPLOAD_MIN_FREE, DEFAULT_UPLOAD_QUOTA.minFreeBytes),
  };
}
