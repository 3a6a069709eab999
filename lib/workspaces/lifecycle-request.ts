import type { LifecyclePolicy, LifecycleRule, Violation } from '../policy';
import { parseLifecycleDuration } from '../policy/lifecycle';
import type { WorkspaceRecord } from './model';

/** What a create request may ask for: seconds or a duration (`30d`, `12h`); `""`/`null`/`never` = never. */
export interface LifecycleRequest {
  retention?: number | string | null;
  maxLifetime?: number | string | null;
}

/** The lifecycle fields a new workspace record carries. */
export type LifecycleFields = Pick<WorkspaceRecord, 'retentionSeconds' | 'retentionSource' | 'retentionWarningSeconds' | 'maxLifetimeSeconds' | 'maxLifetimeSource'>;

const words = (s: number | undefined) => (s === undefined ? 'never' : `${s} s`);

function judge(name: 'retention' | 'maxLifetime', rule: LifecycleRule, raw: unknown, zeroIsNever: boolean, out: Violation[]) {
  if (raw === undefined) return { seconds: rule.default, source: 'provider' as const };
  let seconds = parseLifecycleDuration(raw, name);
  if (zeroIsNever && seconds === 0) seconds = undefined;
  if (rule.max !== undefined && (seconds === undefined || seconds > rule.max)) {
    out.push({ field: name, rule: `policy.lifecycle.${name}`, message: `${words(seconds)} is longer than this provider's maximum of ${rule.max} s` });
  }
  return { seconds, source: 'workspace' as const };
}

/**
 * Applies a request's `retention` and `maxLifetime` within the provider's ceilings (pure). A bad
 * duration throws `config.invalid`; a value beyond a ceiling is a violation (403 `policy.denied`).
 */
export function lifecycleFields(policy: LifecyclePolicy, req: LifecycleRequest): { fields: LifecycleFields; violations: Violation[] } {
  const violations: Violation[] = [];
  const retention = judge('retention', policy.retention, req.retention, false, violations);
  const lifetime = judge('maxLifetime', policy.maxLifetime, req.maxLifetime, true, violations);
  return {
    fields: {
      retentionSeconds: retention.seconds, retentionSource: retention.source, retentionWarningSeconds: policy.retentionWarningSeconds,
      maxLifetimeSeconds: lifetime.seconds, maxLifetimeSource: lifetime.source,
    },
    violations,
  };
}

/** Whether `role` may set or clear a workspace's `keep` flag under the provider's policy. */
export function mayKeep(policy: LifecyclePolicy, role: 'admin' | 'user'): Violation | undefined {
  if (role === 'admin' || policy.keep === 'owners') return undefined;
  return { field: 'keep', rule: 'policy.lifecycle.keep', message: 'only an admin may exempt workspaces from retention on this provider' };
}
