import { configError } from '../errors';
import { show } from './issues';

// The Kubernetes resource.Quantity grammar (apimachinery/pkg/api/resource/quantity.go), without
// the sign: a negative size or limit is never meaningful here.
const QUANTITY = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;

const QUANTITY_FORMS = 'a Kubernetes quantity such as 20Gi, 500M, 1.5, 100m or 1e3';

/** True when `value` is a non-negative Kubernetes resource quantity (`20Gi`, `500M`, `100m`, `1e3`). */
export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}

/**
 * Checks a Kubernetes resource quantity and returns it as a string (numbers are accepted as YAML
 * writes them, `10` -> `"10"`).
 *
 * @throws WorkbayError `config.invalid` naming `field` for `20GB`, `abc`, empty or negative values.
 */
export function validateQuantity(value: unknown, field: string): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text === 'string' && QUANTITY.test(text)) return text;
  let message = `${show(value)} is not a Kubernetes quantity`;
  if (typeof text === 'string' && text.trim().startsWith('-')) message = `${show(value)} is negative`;
  else if (typeof text === 'string' && /^\d+(\.\d+)?\s*[KMGTPE]i?B$/i.test(text)) {
    message += ` (write ${text.replace(/\s*([KMGTPE])i?B$/i, (_m, u: string) => `${u.toUpperCase()}i`)} for binary units)`;
  }
  return fail(field, message);
}

/** A container's resource requirements as Kubernetes wants them. */
export interface ResourceRequirements {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

const RESOURCE_NAME = /^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Parses DevPod's resource string `requests.cpu=500m,limits.memory=2Gi,limits.nvidia.com/gpu=1`
 * into requests and limits, validating every quantity.
 *
 * @throws WorkbayError `config.invalid` naming `field` for anything not of that form.
 */
export function parseResources(value: string, field: string): ResourceRequirements {
  const out: ResourceRequirements = { requests: {}, limits: {} };
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq).trim();
    const dot = key.indexOf('.');
    const kind = key.slice(0, dot);
    const name = key.slice(dot + 1);
    if (eq < 0 || dot < 0 || (kind !== 'requests' && kind !== 'limits') || !RESOURCE_NAME.test(name)) {
      return fail(field, `${show(entry)} is not of the form requests.<resource>=<quantity> or limits.<resource>=<quantity>`, 'e.g. requests.cpu=500m,limits.memory=2Gi');
    }
    out[kind][name] = validateQuantity(entry.slice(eq + 1).trim(), field);
  }
  return out;
}

function fail(field: string, message: string, hint = `Use ${QUANTITY_FORMS}.`): never {
  throw configError(`${field}: ${message}`, [{ field, message, hint }]);
}
