import { badRequest, invalid, type StatusCause } from './status';

/**
 * A boolean query parameter as the API server's parameter codec reads it (apimachinery's
 * `Convert_Slice_string_To_bool`): absent, `0` or any casing of `false` is false; every other value, the empty
 * string included, is true. So `True`, `TRUE`, `t` and `1` (what Python and Go clients send) all mean true.
 */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Like {@link queryBool}, but undefined when the parameter is absent (for `*bool` options like `sendInitialEvents`). */
export function queryOptionalBool(query: URLSearchParams, name: string): boolean | undefined {
  return query.has(name) ? queryBool(query, name) : undefined;
}

/** An integer query parameter (Go `strconv.ParseInt`): undefined when absent or empty, 400 BadRequest when malformed. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** The ListOptions of a list or watch request, parsed and validated. */
export interface ListOptions {
  watch: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  limit?: number;
  continueToken?: string;
  labelSelector: string | null;
  fieldSelector: string | null;
}

function forbiddenCause(field: string, message: string): StatusCause {
  return { reason: 'FieldValueForbidden', message: `Forbidden: ${message}`, field };
}

function notSupported(field: string, value: string, allowed: string[]): StatusCause {
  return { reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, field };
}

/** The apiserver's ValidateListOptions: which combinations of resourceVersionMatch, sendInitialEvents and continue are allowed. */
function listOptionCauses(o: ListOptions): StatusCause[] {
  const causes: StatusCause[] = [];
  const match = o.resourceVersionMatch;
  if (o.watch) {
    if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      causes.push(forbiddenCause('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match) {
      if (o.sendInitialEvents === undefined) causes.push(forbiddenCause('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (o.continueToken) causes.push(forbiddenCause('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
    return causes;
  }
  if (match) {
    if (!o.resourceVersion) causes.push(forbiddenCause('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continueToken) causes.push(forbiddenCause('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') causes.push(notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.resourceVersion === '0') causes.push(forbiddenCause('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined) causes.push(forbiddenCause('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return causes;
}

/** Parses the ListOptions query of a collection GET; 400 for malformed numbers, 422 Invalid for forbidden combinations. */
export function listOptions(query: URLSearchParams): ListOptions {
  const o: ListOptions = {
    watch: queryBool(query, 'watch'),
    resourceVersion: query.get('resourceVersion') || undefined,
    resourceVersionMatch: query.get('resourceVersionMatch') || undefined,
    allowWatchBookmarks: queryBool(query, 'allowWatchBookmarks'),
    sendInitialEvents: queryOptionalBool(query, 'sendInitialEvents'),
    timeoutSeconds: queryInt(query, 'timeoutSeconds'),
    limit: queryInt(query, 'limit'),
    continueToken: query.get('continue') || undefined,
    labelSelector: query.get('labelSelector'),
    fieldSelector: query.get('fieldSelector'),
  };
  const causes = listOptionCauses(o);
  if (causes.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', causes);
  return o;
}
