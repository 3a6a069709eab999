import { configError } from '../errors';
import { show } from './issues';

/** DevPod's option-name rule: upper case letters, digits and underscores. */
export const OPTION_NAME = /^[A-Z0-9_]+$/;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** True for a DNS-1123 label: lowercase alphanumerics and `-`, alphanumeric at both ends, <= 63. */
export function isDns1123Label(value: unknown, maxLength = 63): value is string {
  return typeof value === 'string' && value.length <= maxLength && DNS1123_LABEL.test(value);
}

/**
 * Throws `config.invalid` naming `field` unless `value` is a DNS-1123 label of at most
 * `maxLength` characters (63 by default; provider names use DevPod's 32).
 */
export function assertDns1123Label(value: unknown, field: string, maxLength = 63): string {
  if (isDns1123Label(value, maxLength)) return value;
  const tooLong = typeof value === 'string' && value.length > maxLength;
  const message = tooLong
    ? `${show(value)} is longer than ${maxLength} characters`
    : `${show(value)} is not a valid name: use lowercase letters, digits and '-', starting and ending with a letter or digit`;
  throw configError(`${field}: ${message}`, [{ field, message }]);
}

/** True for a DNS-1123 subdomain (Kubernetes object names such as service accounts), <= 253. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** True for a Kubernetes label key: optional `prefix/` (a DNS subdomain) and a name <= 63. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (slash >= 0 && !isDns1123Subdomain(key.slice(0, slash))) return false;
  return name.length <= 63 && LABEL_NAME.test(name);
}

/** True for a Kubernetes label value: empty, or a name of at most 63 characters. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/**
 * Reads DevPod's `k=v,k2=v2` string form of a map (node selectors, labels). Entries without `=`
 * get an empty value; blanks are skipped.
 */
export function parseKeyValueList(text: string): Record<string, string> {
  const entries = text
    .split(',')
    .map((raw) => raw.trim())
    .filter((entry) => entry !== '')
    .map((entry): [string, string] => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, ''] : [entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()];
    });
  return Object.fromEntries(entries);
}
