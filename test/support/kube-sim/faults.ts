import { reasonForCode, statusError, type KubeError, type StatusCause } from './status';

/** A Kubernetes verb as RBAC names it (exec and log are `create`/`get` on `pods/exec`, `pods/log`). */
export type KubeVerb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** One request that reached the API server, as tests see it in `sim.requests`. */
export interface KubeRequestRecord {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string | string[]>;
  verb?: KubeVerb;
  /** API group (`''` for core). */
  group?: string;
  /** Plural resource name, e.g. `pods`. */
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  contentType?: string;
  /** The parsed JSON body, if any. */
  body?: unknown;
  /** HTTP status sent (set when the response starts; 101 for upgrades). */
  status?: number;
  at: Date;
}

/** A fault to inject: matches requests by verb/resource/name and answers with a Status error and/or a delay. */
export interface FaultRule {
  verb?: KubeVerb | KubeVerb[];
  /** `pods`, or `pods/exec`, `pods/log`, `pods/status` for a subresource. Omitted: any. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** HTTP status of the injected Status error (e.g. 403, 404, 409, 422, 429, 500, 503). Omitted: only delay. */
  status?: number;
  /** Status `reason`; defaults to the canonical one (`AlreadyExists` is a useful 409 alternative to `Conflict`). */
  reason?: string;
  message?: string;
  causes?: StatusCause[];
  /** Wait this long before answering (or before handling normally, when no status is given). */
  delayMs?: number;
  /** How many matching requests this rule applies to; default 1, `Infinity` for all. */
  times?: number;
}

function matches(rule: FaultRule, r: KubeRequestRecord): boolean {
  if (rule.verb !== undefined) {
    const verbs = Array.isArray(rule.verb) ? rule.verb : [rule.verb];
    if (!r.verb || !verbs.includes(r.verb)) return false;
  }
  if (rule.resource !== undefined) {
    const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    if (rule.resource !== full) return false;
  }
  if (rule.namespace !== undefined && rule.namespace !== r.namespace) return false;
  if (rule.name !== undefined && rule.name !== r.name) return false;
  return true;
}

/** The queue of injected faults; the first matching rule wins and is used up. */
export class FaultQueue {
  private rules: Array<FaultRule & { left: number }> = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Takes the rule for this request, if any. */
  take(r: KubeRequestRecord): FaultRule | undefined {
    const i = this.rules.findIndex((rule) => matches(rule, r));
    if (i < 0) return undefined;
    const rule = this.rules[i]!;
    rule.left -= 1;
    if (rule.left <= 0) this.rules.splice(i, 1);
    return rule;
  }
}

/** The Status error a fault rule produces. */
export function faultError(rule: FaultRule, r: KubeRequestRecord): KubeError {
  const code = rule.status ?? 500;
  const reason = rule.reason ?? reasonForCode(code);
  const what = r.resource ? `${r.group ? `${r.resource}.${r.group}` : r.resource}${r.name ? ` "${r.name}"` : ''}` : r.path;
  const defaults: Record<string, string> = {
    NotFound: `${what} not found`,
    AlreadyExists: `${what} already exists`,
    Conflict: `Operation cannot be fulfilled on ${what}: the object has been modified; please apply your changes to the latest version and try again`,
    Forbidden: `${what} is forbidden: User "kube-sim" cannot ${r.verb ?? 'access'} resource "${r.resource ?? ''}" (injected fault)`,
    Invalid: `${what} is invalid: (injected fault)`,
  };
  const details: Record<string, unknown> = {};
  if (r.name) details.name = r.name;
  if (r.resource) details.kind = r.resource;
  if (r.group) details.group = r.group;
  if (rule.causes) details.causes = rule.causes;
  if (code === 429) details.retryAfterSeconds = 1;
  const err = statusError(code, reason, rule.message ?? defaults[reason] ?? `kube-sim: injected ${code} ${reason}`, Object.keys(details).length ? details : undefined);
  if (code === 429 || code === 503) err.headers['Retry-After'] = '1';
  return err;
}
