/** One entry of `details.causes` in a v1 Status. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** The v1 `Status` object the API server returns for errors (and some deletes). */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

/** Identifies a resource in messages the way the API server does (`pods`, `rolebindings.rbac.authorization.k8s.io`). */
export interface ResourceRef {
  group: string;
  plural: string;
}

/** An API error: thrown anywhere in request handling, turned into a Status response by the server. */
export class KubeError extends Error {
  constructor(readonly body: StatusBody, readonly headers: Record<string, string> = {}) {
    super(body.message);
  }

  get code(): number {
    return this.body.code;
  }
}

/** Builds a Failure Status error with the given HTTP code and reason. */
export function statusError(code: number, reason: string, message: string, details?: StatusBody['details']): KubeError {
  const body: StatusBody = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details) body.details = details;
  return new KubeError(body);
}

/** A Success Status, as returned by deletes of objects that are gone at once. */
export function successStatus(ref: ResourceRef, name: string, uid?: string): StatusBody {
  const details: NonNullable<StatusBody['details']> = { name, kind: ref.plural };
  if (ref.group) details.group = ref.group;
  if (uid) details.uid = uid;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details, code: 200 };
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.plural}.${ref.group}` : ref.plural;
}

function details(ref: ResourceRef, name: string | undefined): StatusBody['details'] {
  const d: NonNullable<StatusBody['details']> = { kind: ref.plural };
  if (name !== undefined) d.name = name;
  if (ref.group) d.group = ref.group;
  return d;
}

/** 404 `<resource> "<name>" not found`. */
export function notFound(ref: ResourceRef, name: string): KubeError {
  return statusError(404, 'NotFound', `${qualified(ref)} "${name}" not found`, details(ref, name));
}

/** 409 AlreadyExists. */
export function alreadyExists(ref: ResourceRef, name: string): KubeError {
  return statusError(409, 'AlreadyExists', `${qualified(ref)} "${name}" already exists`, details(ref, name));
}

/** 409 Conflict, the optimistic-concurrency failure. */
export function conflict(ref: ResourceRef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeError {
  return statusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${name}": ${why}`, details(ref, name));
}

/** 422 Invalid with field causes; `kind` is the object kind (`Pod`), as in the real message. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): KubeError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : String(c.message)));
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const qkind = group ? `${kind}.${group}` : kind;
  const d: NonNullable<StatusBody['details']> = { name, kind, causes };
  if (group) d.group = group;
  return statusError(422, 'Invalid', `${qkind} "${name}" is invalid: ${list}`, d);
}

/** 403 Forbidden. */
export function forbidden(ref: ResourceRef, name: string | undefined, why: string): KubeError {
  const subject = name === undefined ? qualified(ref) : `${qualified(ref)} "${name}"`;
  return statusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, details(ref, name));
}

/** 400 BadRequest. */
export function badRequest(message: string): KubeError {
  return statusError(400, 'BadRequest', message);
}

/** Canonical reason for an HTTP code, used by fault injection. */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
    409: 'Conflict', 410: 'Expired', 415: 'UnsupportedMediaType', 422: 'Invalid', 429: 'TooManyRequests',
    500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
