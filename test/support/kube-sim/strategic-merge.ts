import { isDeepStrictEqual } from 'node:util';
import { resolveSchema, type Schema } from './openapi-schemas';
import { badRequest } from './status';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function withoutDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObj(e) && e.$patch !== undefined && Object.keys(e).length === 1)).map(withoutDirectives);
  if (!isObj(v)) return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith('$')).map(([k, x]) => [k, withoutDirectives(x)]));
}

function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const rank = (e: unknown): number => {
    const i = order.findIndex((o) => (mergeKey && isObj(o) && isObj(e) ? o[mergeKey] === e[mergeKey] : isDeepStrictEqual(o, e)));
    return i < 0 ? order.length : i;
  };
  return list.map((e, i) => ({ e, i, r: rank(e) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
}

function mergeList(original: unknown, patch: unknown[], prop: Schema | undefined): unknown[] {
  const strategy = String(prop?.['x-kubernetes-patch-strategy'] ?? '');
  if (!strategy.split(',').includes('merge')) return withoutDirectives(patch) as unknown[];
  const mergeKey = prop?.['x-kubernetes-patch-merge-key'] as string | undefined;
  const out = Array.isArray(original) ? structuredClone(original) : [];
  if (!mergeKey) {
    for (const v of patch) if (!out.some((o) => isDeepStrictEqual(o, v))) out.push(structuredClone(v));
    return out;
  }
  if (patch.some((e) => isObj(e) && e.$patch === 'replace')) return withoutDirectives(patch) as unknown[];
  const items = resolveSchema(prop)?.items as Schema | undefined;
  for (const el of patch) {
    if (!isObj(el)) throw badRequest(`unable to find api field in struct for the list element of a merging list: ${JSON.stringify(el)}`);
    const idx = out.findIndex((o) => isObj(o) && o[mergeKey] === el[mergeKey]);
    if (el.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = mergeMap(out[idx] as Obj, el, items);
    else out.push(mergeMap({}, el, items));
  }
  return out;
}

/**
 * A strategic merge patch (the API server's `strategicpatch.StrategicMergeMapPatch`): maps merge, lists with a
 * `x-kubernetes-patch-strategy` of merge merge by their `x-kubernetes-patch-merge-key` (other lists are replaced),
 * with the `$patch` (replace/delete), `$retainKeys`, `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives.
 */
export function mergeMap(original: Obj, patch: Obj, schema: Schema | undefined): Obj {
  const s = resolveSchema(schema);
  if (patch.$patch === 'replace') return withoutDirectives(patch) as Obj;
  if (patch.$patch === 'delete') return {};
  let out = structuredClone(original);
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    out = Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    const prop = (s?.properties?.[k] ?? s?.additionalProperties) as Schema | undefined;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !(v as unknown[]).includes(x));
    } else if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeList(out[k], v, prop);
    else if (isObj(v) && v.$patch === 'delete') delete out[k];
    else if (isObj(v)) out[k] = mergeMap(isObj(out[k]) ? (out[k] as Obj) : {}, v, prop);
    else out[k] = v;
  }
  for (const [k, order] of Object.entries(patch)) {
    const field = k.startsWith('$setElementOrder/') ? k.slice('$setElementOrder/'.length) : undefined;
    if (!field || !Array.isArray(out[field]) || !Array.isArray(order)) continue;
    out[field] = reorder(out[field] as unknown[], order, s?.properties?.[field]?.['x-kubernetes-patch-merge-key']);
  }
  return out;
}
