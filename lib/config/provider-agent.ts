import { z } from 'zod';
import { isWorkbayError } from '../errors';
import { parseDuration } from './duration';
import { Issues, show } from './issues';
import { isDns1123Label, isDns1123Subdomain, isLabelKey, isLabelValue, parseKeyValueList } from './names';
import { isRecord } from './provider-keys';
import type { PvcAccessMode, ResolvedAgent } from './provider-types';
import { parseResources, validateQuantity } from './quantity';

type Ctx = z.RefinementCtx;

const ACCESS_MODES: Record<string, PvcAccessMode> = {
  ReadWriteOnce: 'ReadWriteOnce', RWO: 'ReadWriteOnce',
  ReadOnlyMany: 'ReadOnlyMany', ROX: 'ReadOnlyMany',
  ReadWriteMany: 'ReadWriteMany', RWX: 'ReadWriteMany',
  ReadWriteOncePod: 'ReadWriteOncePod', RWOP: 'ReadWriteOncePod',
};
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isEmpty(v: unknown): v is undefined | null | '' {
  return v === undefined || v === null || v === '';
}
// A `${WORKSPACE_ID}` still in the text is filled in per workspace; its grammar is checked then.
function unresolved(v: string): boolean {
  return v.includes('${');
}

/** A refused value. A class, so that a map value that happens to have a `problem` key is not one. */
class Problem {
  constructor(
    readonly message: string,
    readonly hint?: string,
  ) {}
}
const problem = (message: string, hint?: string) => new Problem(message, hint);

/** A field whose value is read by `read`, which reports a refusal by returning a Problem. */
function field<T>(read: (v: unknown) => T | Problem) {
  return z.unknown().optional().transform((v, ctx: Ctx) => {
    const out = read(v);
    if (out instanceof Problem) {
      ctx.addIssue({ code: 'custom', message: out.message, params: out.hint ? { hint: out.hint } : undefined });
      return z.NEVER;
    }
    return out as T;
  });
}

const text = (fallback: string, check?: (v: string) => string | undefined) =>
  field<string>((v) => {
    if (isEmpty(v)) return fallback;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') return problem(`expected a string, got ${show(v)}`);
    const refused = check && !unresolved(v) ? check(v) : undefined;
    return refused ? problem(refused) : v;
  });
const optionalText = field<string | undefined>((v) => {
  if (isEmpty(v)) return undefined;
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' ? v : problem(`expected a string, got ${show(v)}`);
});
const bool = <F extends boolean | undefined>(fallback: F) =>
  field<boolean | F>((v) => {
    if (isEmpty(v)) return fallback;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
    return problem(`expected true or false, got ${show(v)}`);
  });
/** Wraps a validator that throws config errors (parseDuration, validateQuantity). */
const fromThrowing = <T>(fn: (v: unknown) => T | Problem) =>
  field<T>((v) => {
    try {
      return fn(v);
    } catch (err) {
      const e = isWorkbayError(err, 'config.invalid') ? err.errors[0] : undefined;
      if (e) return problem(e.message, e.hint);
      throw err;
    }
  });
const stringMap = (what: string, checkKey: (k: string) => boolean, checkValue: (v: string) => boolean) =>
  field<Record<string, string>>((v) => {
    if (isEmpty(v)) return {};
    let map: Record<string, unknown>;
    if (typeof v === 'string') map = parseKeyValueList(v);
    else if (isRecord(v)) map = v;
    else return problem(`expected a mapping or k=v,k2=v2, got ${show(v)}`);
    const out: [string, string][] = [];
    for (const [key, raw] of Object.entries(map)) {
      const value = raw === null || raw === undefined ? '' : typeof raw === 'object' ? undefined : String(raw);
      if (value === undefined) return problem(`${key}: expected a string, got ${show(raw)}`);
      if (!unresolved(key) && !checkKey(key)) return problem(`${show(key)} is not a valid ${what} name`);
      if (!unresolved(value) && !checkValue(value)) return problem(`${key}: ${show(value)} is not a valid ${what} value`);
      out.push([key, value]);
    }
    return Object.fromEntries(out);
  });

const section = <S extends z.ZodRawShape>(shape: S) =>
  z.preprocess((v) => (v === null || v === undefined || v === '' ? {} : v), z.object(shape));

const dockerShape = {
  path: text('docker'),
  install: bool(false),
  builder: optionalText,
  env: stringMap('environment variable', (k) => ENV_NAME.test(k), () => true),
};

const resourcesText = (name: string) =>
  fromThrowing<string | undefined>((v) => {
    if (isEmpty(v)) return undefined;
    if (typeof v !== 'string') return problem(`expected a string like requests.cpu=500m,limits.memory=2Gi, got ${show(v)}`);
    if (!unresolved(v)) parseResources(v, name);
    return v;
  });
const optionalMap = (what: string, checkKey: (k: string) => boolean, checkValue: (v: string) => boolean) => {
  const inner = stringMap(what, checkKey, checkValue);
  return inner.transform((m) => (Object.keys(m).length > 0 ? m : undefined));
};
const optionalSeconds = (name: string) =>
  fromThrowing<number | undefined>((v) => (isEmpty(v) ? undefined : parseDuration(v, name)));

const kubernetesShape = {
  path: text('kubectl'),
  namespace: text('', (v) => (isDns1123Label(v) ? undefined : `${show(v)} is not a valid namespace (a DNS-1123 label)`)),
  context: text(''),
  config: text(''),
  clusterRole: text(''),
  serviceAccount: text('', (v) => (isDns1123Subdomain(v) ? undefined : `${show(v)} is not a valid service account name`)),
  buildRepository: text(''),
  helperImage: text(''),
  buildkitImage: text(''),
  buildkitPrivileged: bool(false),
  persistentVolumeSize: fromThrowing((v) => (isEmpty(v) ? '10Gi' : validateQuantity(v, 'persistentVolumeSize'))),
  createNamespace: bool(false),
  storageClassName: text('', (v) => (isDns1123Subdomain(v) ? undefined : `${show(v)} is not a valid storage class name`)),
  pvcAccessMode: field<PvcAccessMode>((v) => {
    if (isEmpty(v)) return 'ReadWriteOnce';
    const mode = typeof v === 'string' && Object.hasOwn(ACCESS_MODES, v) ? ACCESS_MODES[v] : undefined;
    return mode ?? problem(`${show(v)} is not an access mode; use ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod (or RWO, ROX, RWX, RWOP)`);
  }),
  nodeSelector: stringMap('label', isLabelKey, isLabelValue),
  resources: resourcesText('resources'),
  labels: stringMap('label', isLabelKey, isLabelValue),
  podManifestTemplate: optionalText,
  architecture: optionalText,
  // DevPod's client-go era keys (see provider-notes.ts for which ones the driver applies).
  inactivityTimeout: optionalSeconds('inactivityTimeout'),
  podTimeout: optionalSeconds('podTimeout'),
  pvcAnnotations: optionalMap('annotation', isLabelKey, () => true),
  workspaceVolumeMount: optionalText,
  strictSecurity: bool(undefined),
  kubernetesPullSecretsEnabled: bool(undefined),
  buildkitNodeSelector: optionalMap('label', isLabelKey, isLabelValue),
  buildkitResources: resourcesText('buildkitResources'),
  helperResources: resourcesText('helperResources'),
};

const agentSchema = z.object({
  driver: field<'docker' | 'kubernetes'>((v) => {
    if (isEmpty(v)) return 'docker';
    if (v === 'docker' || v === 'kubernetes') return v;
    const custom = v === 'custom' ? " (DevPod's custom driver runs a provider binary, which workbay does not)" : '';
    return problem(`${show(v)} is not a supported driver${custom}; use docker or kubernetes`);
  }),
  path: optionalText,
  local: bool(undefined),
  containerInactivityTimeout: fromThrowing((v) => parseDuration(v, 'containerInactivityTimeout')),
  docker: section(dockerShape),
  kubernetes: section(kubernetesShape),
});

/** The keys the typed agent reads, per section: a `${NAME}` anywhere else is in a section workbay ignores. */
const READ_KEYS: Readonly<Record<string, ReadonlySet<string>>> = {
  agent: new Set(Object.keys(agentSchema.shape)),
  docker: new Set(Object.keys(dockerShape)),
  kubernetes: new Set(Object.keys(kubernetesShape)),
};

/**
 * True when workbay reads the agent field (`agent.kubernetes.namespace`), false for one it ignores
 * (`agent.custom.findDevContainer`, `agent.exec.shutdown[0]`, an unknown key) or, when `driver` is
 * given, one in the other driver's section.
 */
export function isReadAgentField(field: string, driver?: string): boolean {
  const [root, key, sub] = field.replace(/\[\d+\]/g, '').split('.');
  if (root !== 'agent' || key === undefined) return true;
  if (!READ_KEYS.agent!.has(key)) return false;
  if (key !== 'docker' && key !== 'kubernetes') return true;
  if (driver !== undefined && key !== (driver === 'kubernetes' ? 'kubernetes' : 'docker')) return false;
  return sub === undefined || READ_KEYS[key]!.has(sub);
}

/**
 * Reads a substituted agent into its typed form. Problems are added to `issues` under
 * `agent.<path>`; `origin` may name the `${NAME}` a bad value came from.
 */
export function parseAgent(
  agent: Record<string, unknown>,
  issues: Issues,
  origin: (path: string) => string | undefined = () => undefined,
): ResolvedAgent | undefined {
  const result = agentSchema.safeParse(withoutBrokenIgnoredSection(agent));
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = ['agent', ...issue.path.map(String)].join('.');
      const from = origin(path);
      const hint = issue.code === 'custom' ? (issue.params as { hint?: string } | undefined)?.hint : undefined;
      issues.add(path, from ? `${issue.message} (from ${from})` : issue.message, { hint });
    }
    return undefined;
  }
  const { containerInactivityTimeout, path, local, kubernetes: k8s, ...rest } = result.data;
  const { inactivityTimeout, podTimeout, ...kubernetes } = k8s;
  // DevPod's Kubernetes providers set both timeouts from one option; the container one wins when both are set.
  const timeout = containerInactivityTimeout === 0 && rest.driver === 'kubernetes' ? (inactivityTimeout ?? 0) : containerInactivityTimeout;
  const out: ResolvedAgent = {
    ...rest,
    kubernetes: podTimeout === undefined ? kubernetes : { ...kubernetes, podTimeoutSeconds: podTimeout },
    containerInactivityTimeoutSeconds: timeout,
  };
  if (path !== undefined) out.path = path;
  if (local !== undefined) out.local = local;
  return stripUndefined(out);
}

/**
 * The other driver's section is ignored (parse warns so); a value there that does not type-check,
 * such as a `${NAME}` left as written, must not refuse the provider, so it is read as empty.
 */
function withoutBrokenIgnoredSection(agent: Record<string, unknown>): Record<string, unknown> {
  const driver = isEmpty(agent.driver) ? 'docker' : agent.driver;
  if (driver !== 'docker' && driver !== 'kubernetes') return agent;
  const other = driver === 'docker' ? 'kubernetes' : 'docker';
  if (agent[other] === undefined || section(other === 'docker' ? dockerShape : kubernetesShape).safeParse(agent[other]).success) return agent;
  return { ...agent, [other]: undefined };
}

function stripUndefined<T extends object>(value: T): T {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) delete (value as Record<string, unknown>)[key];
    else if (isRecord(v)) stripUndefined(v);
  }
  return value;
}
