import { resolveSchema, rootSchema, type Schema } from './openapi-schemas';
import type { ResourceDef } from './resources';
import { badRequest } from './status';

/** The `fieldValidation` directive of a write: reject, warn about or silently drop fields the schema does not declare. */
export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** What a write asked for, and the warnings it collected (sent back as `Warning: 299` headers). */
export interface FieldCheck {
  mode: FieldValidation;
  warnings: string[];
}

/** Parses `fieldValidation` (default Warn, as on the API server since 1.27); 400 for other values. */
export function fieldCheckOf(query: URLSearchParams): FieldCheck {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return { mode: 'Warn', warnings: [] };
  if (v !== 'Ignore' && v !== 'Warn' && v !== 'Strict') {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(v)}`);
  }
  return { mode: v, warnings: [] };
}

/** Removes (in place) and returns the paths of fields the schema does not declare, like `spec.containers[0].foo`. */
function pruneUnknown(value: unknown, schema: Schema | undefined, path: string, found: string[]): void {
  const s = resolveSchema(schema);
  if (!s || value === null || typeof value !== 'object' || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((v, i) => pruneUnknown(v, s.items, `${path}[${i}]`, found));
    return;
  }
  const obj = value as Record<string, unknown>;
  if (s.additionalProperties) {
    for (const [k, v] of Object.entries(obj)) pruneUnknown(v, s.additionalProperties, `${path}[${k}]`, found);
    return;
  }
  if (!s.properties) return;
  for (const [k, v] of Object.entries(obj)) {
    const field = path ? `${path}.${k}` : k;
    if (!(k in s.properties)) {
      found.push(field);
      delete obj[k];
    } else pruneUnknown(v, s.properties[k], field, found);
  }
}

/**
 * Applies a write's fieldValidation to the decoded object: Strict → 400 BadRequest naming every unknown field (the
 * API server's strict decoding error); Warn → drops them and records one warning each; Ignore → drops them.
 */
export function checkFields(def: ResourceDef, obj: Record<string, unknown>, check: FieldCheck | undefined): void {
  const found: string[] = [];
  pruneUnknown(obj, rootSchema(def), '', found);
  if (found.length === 0 || !check) return;
  const list = found.map((f) => `unknown field ${JSON.stringify(f)}`).join(', ');
  if (check.mode === 'Strict') {
    throw badRequest(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: ${list}`);
  }
  if (check.mode === 'Warn') check.warnings.push(...found.map((f) => `unknown field ${JSON.stringify(f)}`));
}

/** `Warning` response headers (RFC 7234 code 299) for collected warnings. */
export function warningHeaders(check: FieldCheck | undefined): Record<string, string | string[]> {
  if (!check || check.warnings.length === 0) return {};
  return { Warning: check.warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}
