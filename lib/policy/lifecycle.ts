import { parseDuration } from '../config/duration';
import { formatPath, show, type FieldPath } from '../config/issues';

/** A lifecycle default and ceiling in seconds; `undefined` means never (no deadline, no ceiling). */
export interface LifecycleRule {
  default?: number;
  max?: number;
}

/**
 * The provider's scheduled cleanup (`workbay.lifecycle` in provider.yaml): how long a Stopped
 * workspace is kept before it is deleted (`retention`, 0 = on stop), how long a Running one may run
 * whatever its activity (`maxLifetime`), how early the retention warning goes out, and who may set
 * a workspace's `keep` flag (admins always may).
 */
export interface LifecyclePolicy {
  retention: LifecycleRule;
  maxLifetime: LifecycleRule;
  retentionWarningSeconds: number;
  keep: 'admins' | 'owners';
}

/** Without a `workbay.lifecycle` section nothing is deleted or stopped on a schedule. */
export const DEFAULT_LIFECYCLE: LifecyclePolicy = { retention: {}, maxLifetime: {}, retentionWarningSeconds: 86_400, keep: 'admins' };

const DAYS = /^(\d+)d(.*)$/;
const LIFECYCLE_KEYS = ['retention', 'maxLifetime', 'retentionWarning', 'keep'];

/**
 * Parses a lifecycle duration: what parseDuration accepts plus a leading day count (`30d`, `1d12h`),
 * since retention is counted in days. `never` and empty mean no deadline (`undefined`); `0` stays 0.
 *
 * @throws WorkbayError `config.invalid` naming `field`.
 */
export function parseLifecycleDuration(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '' || text === 'never') return undefined;
    const days = DAYS.exec(text);
    if (days) return Number(days[1]) * 86_400 + (days[2] ? parseDuration(days[2], field) : 0);
  }
  return parseDuration(value, field);
}

type Add = (path: FieldPath, message: string, hint?: string) => void;
const HINT = 'Use a duration such as 30d, 12h or 90m; 0 for retention means delete on stop; leave it out for never.';

function duration(raw: unknown, path: FieldPath, add: Add): number | undefined {
  try {
    return parseLifecycleDuration(raw, formatPath(path));
  } catch (err) {
    add(path, (err as { errors?: { message: string }[] }).errors?.[0]?.message ?? String(err), HINT);
    return undefined;
  }
}

function lifecycleRule(raw: unknown, path: FieldPath, add: Add, zeroIsNever: boolean): LifecycleRule {
  if (raw === undefined || raw === null) return {};
  // A bare value is the default, with no ceiling.
  const obj = typeof raw === 'object' && !Array.isArray(raw) ? raw as Record<string, unknown> : { default: raw };
  const out: LifecycleRule = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key !== 'default' && key !== 'max') {
      add([...path, key], `unknown key "${key}"; use default and max`);
      continue;
    }
    const n = duration(v, [...path, key], add);
    if (n === undefined && v !== undefined && v !== null && !/^\s*(never)?\s*$/.test(String(v))) return {}; // reported by duration()
    if (n !== undefined && !(zeroIsNever && n === 0)) out[key] = n;
  }
  if (out.max !== undefined) {
    // No default under a ceiling would mean "never", longer than any ceiling: the ceiling is the default.
    if (!('default' in obj)) out.default = out.max;
    else if (out.default === undefined || out.default > out.max) add([...path, 'default'], `default${out.default === undefined ? ' (never)' : ''} is above max`);
  }
  return out;
}

/** Reads `workbay.lifecycle`; problems are added with their path (and so line and column). */
export function parseLifecycle(value: unknown, add: Add): LifecyclePolicy {
  const out = structuredClone(DEFAULT_LIFECYCLE);
  if (value === undefined || value === null) return out;
  const at = (...rest: string[]): FieldPath => ['workbay', 'lifecycle', ...rest];
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(at(), `expected a mapping with retention, maxLifetime, retentionWarning and keep, got ${show(value)}`);
    return out;
  }
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) if (!LIFECYCLE_KEYS.includes(key)) add(at(key), `unknown lifecycle key "${key}"`, `Known keys: ${LIFECYCLE_KEYS.join(', ')}.`);
  out.retention = lifecycleRule(v.retention, at('retention'), add, false);
  out.maxLifetime = lifecycleRule(v.maxLifetime, at('maxLifetime'), add, true);
  if (v.retentionWarning !== undefined && v.retentionWarning !== null) out.retentionWarningSeconds = duration(v.retentionWarning, at('retentionWarning'), add) ?? 0;
  if (v.keep !== undefined && v.keep !== null) {
    if (v.keep === 'admins' || v.keep === 'owners') out.keep = v.keep;
    else add(at('keep'), `expected admins or owners, got ${show(v.keep)}`, 'Who may set a workspace\'s keep flag; admins always may.');
  }
  return out;
}
