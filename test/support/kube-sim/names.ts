import { randomInt } from 'node:crypto';
import type { StatusCause } from './status';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** How an object's name is validated (the rules differ per resource, as in the real API server). */
export type NameRule = 'label' | 'subdomain' | 'segment';

/** Error messages for an RFC 1123 label (namespace names, container and volume names). */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL.test(value)) {
    errs.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  }
  return errs;
}

/** Error messages for an RFC 1123 subdomain (most object names). */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!SUBDOMAIN.test(value)) {
    errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return errs;
}

function pathSegmentErrors(value: string): string[] {
  if (value === '.' || value === '..') return [`may not be '${value}'`];
  const bad = ['/', '%'].find((c) => value.includes(c));
  return bad ? [`may not contain '${bad}'`] : [];
}

/** Error messages for a name under the given rule. */
export function nameErrors(rule: NameRule, value: string): string[] {
  if (rule === 'label') return dns1123LabelErrors(value);
  if (rule === 'subdomain') return dns1123SubdomainErrors(value);
  return pathSegmentErrors(value);
}

/** Error messages for a label or annotation key (`[prefix/]name`). */
export function qualifiedNameErrors(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const errs: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((e) => `prefix part ${e}`));
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) {
    errs.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  }
  return errs;
}

/** Error messages for a label value. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return errs;
}

/** Five random characters from the alphabet the API server uses for `generateName`. */
export function generateNameSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[randomInt(alphabet.length)];
  return s;
}

function invalidCause(field: string, value: unknown, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${message}`, field };
}

/** Validates a name-like field and returns causes (`Required value` when empty). */
export function nameCauses(rule: NameRule, field: string, value: unknown): StatusCause[] {
  if (typeof value !== 'string' || value === '') return [{ reason: 'FieldValueRequired', message: 'Required value', field }];
  return nameErrors(rule, value).map((e) => invalidCause(field, value, e));
}

/** Validates `metadata`: name (unless generated), namespace, labels and annotations. */
export function metadataCauses(meta: Record<string, unknown> | undefined, rule: NameRule): StatusCause[] {
  const causes: StatusCause[] = [];
  const m = meta ?? {};
  const name = m.name;
  if ((name === undefined || name === '') && !m.generateName) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  } else if (typeof name === 'string' && name !== '') {
    causes.push(...nameErrors(rule, name).map((e) => invalidCause('metadata.name', name, e)));
  }
  const labels = (m.labels ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(labels)) {
    causes.push(...qualifiedNameErrors(k).map((e) => invalidCause('metadata.labels', k, e)));
    if (typeof v === 'string') causes.push(...labelValueErrors(v).map((e) => invalidCause('metadata.labels', v, e)));
  }
  const annotations = (m.annotations ?? {}) as Record<string, unknown>;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    causes.push(...qualifiedNameErrors(k).map((e) => invalidCause('metadata.annotations', k, e)));
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > 262144) {
    causes.push({ reason: 'FieldValueTooLong', message: 'Too long: must have at most 262144 bytes', field: 'metadata.annotations' });
  }
  return causes;
}
