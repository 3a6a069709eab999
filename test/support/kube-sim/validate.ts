import { isDeepStrictEqual } from 'node:util';
import { metadataCauses } from './names';
import type { ResourceDef } from './resources';
import { invalid, type StatusCause } from './status';
import type { KubeObject } from './store';
import { kindCauses } from './validate-kinds';

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(instancePath: string): string {
  return instancePath.split('/').filter(Boolean).reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function valueAt(obj: unknown, instancePath: string): unknown {
  let cur: unknown = obj;
  for (const seg of instancePath.split('/').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

/** Checks the object against the official OpenAPI schema (kubernetes-models) and returns field causes. */
export function schemaCauses(def: ResourceDef, obj: unknown): StatusCause[] {
  try {
    new def.model(obj).validate();
    return [];
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!Array.isArray(errors)) return [{ reason: 'FieldValueInvalid', message: String((err as Error).message) }];
    const byPath = new Map<string, AjvError[]>();
    for (const e of errors) {
      const key = e.keyword === 'required' ? `${e.instancePath}/${String(e.params?.missingProperty)}` : e.instancePath;
      byPath.set(key, [...(byPath.get(key) ?? []), e]);
    }
    return [...byPath.entries()].map(([path, errs]) => {
      const e = errs.find((x) => x.keyword === 'format') ?? errs.find((x) => x.keyword === 'enum') ?? errs[0]!;
      const field = fieldOf(path);
      if (e.keyword === 'required') return { reason: 'FieldValueRequired', message: 'Required value', field };
      const value = JSON.stringify(valueAt(obj, path));
      if (e.keyword === 'enum') {
        const allowed = ((e.params?.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ');
        return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${value}: supported values: ${allowed}`, field };
      }
      return { reason: 'FieldValueInvalid', message: `Invalid value: ${value}: ${e.message ?? e.keyword}`, field };
    });
  }
}

/** Schema, name/label and per-kind rules for a create (and the new object of an update). */
export function objectCauses(def: ResourceDef, obj: KubeObject): StatusCause[] {
  return [
    ...schemaCauses(def, obj),
    ...metadataCauses(obj.metadata as Record<string, unknown>, def.nameRule),
    ...kindCauses(def, obj),
  ];
}

const POD_MUTABLE_MSG = 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function withoutImages(spec: Record<string, any>): Record<string, any> {
  const s = structuredClone(spec);
  for (const list of ['containers', 'initContainers']) {
    for (const c of (s[list] as Record<string, unknown>[] | undefined) ?? []) delete c.image;
  }
  delete s.activeDeadlineSeconds;
  delete s.tolerations;
  return s;
}

/** Rules that compare the old and new object of an update (immutable fields). */
export function updateCauses(def: ResourceDef, old: KubeObject, next: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (def.kind === 'Pod' && !isDeepStrictEqual(withoutImages(old.spec ?? {}), withoutImages(next.spec ?? {}))) {
    causes.push({ reason: 'FieldValueForbidden', message: POD_MUTABLE_MSG, field: 'spec' });
  }
  if (def.kind === 'PersistentVolumeClaim') {
    const strip = (s: Record<string, any>) => {
      const c = structuredClone(s ?? {});
      delete c.resources;
      delete c.volumeName;
      return c;
    };
    if (!isDeepStrictEqual(strip(old.spec), strip(next.spec))) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims', field: 'spec' });
    }
  }
  if ((def.kind === 'RoleBinding' || def.kind === 'ClusterRoleBinding') && !isDeepStrictEqual(old.roleRef, next.roleRef)) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(next.roleRef)}: cannot change roleRef`, field: 'roleRef' });
  }
  if ((def.kind === 'Secret' || def.kind === 'ConfigMap') && old.immutable === true) {
    if (!isDeepStrictEqual(old.data, next.data) || next.immutable !== true) {
      causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: field is immutable when `immutable` is set', field: 'data' });
    }
  }
  if (def.kind === 'Secret' && (old.type ?? 'Opaque') !== (next.type ?? 'Opaque')) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(next.type)}: field is immutable`, field: 'type' });
  }
  return causes;
}

/** Throws 422 Invalid when there are causes. */
export function assertNoCauses(def: ResourceDef, name: string, causes: StatusCause[]): void {
  if (causes.length > 0) throw invalid(def.kind, def.group, name, causes);
}
