import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { WorkbayError, type ErrorCode, type FieldError } from '../errors';
import { MAX_REPORTED_ERRORS } from '../config/issues';
import type { ApiEnv } from './context';

const STATUS: Record<ErrorCode, number> = {
  'config.invalid': 400,
  'request.invalid': 400,
  'option.notUserSettable': 400,
  'request.tooLarge': 413,
  'route.notFound': 404,
  'auth.unauthenticated': 401,
  'auth.forbidden': 403,
  'auth.rateLimited': 429,
  'token.notFound': 404,
  'policy.denied': 403,
  'quota.exceeded': 403,
  'provider.notFound': 404,
  'provider.conflict': 409,
  'provider.inUse': 409,
  'workspace.notFound': 404,
  'workspace.conflict': 409,
  'workspace.invalidState': 409,
  'idempotency.conflict': 422,
  'store.conflict': 409,
  'lease.lost': 409,
  'store.unavailable': 503,
  'driver.unreachable': 502,
  'driver.failed': 502,
  'driver.imageUnavailable': 422,
  'driver.buildFailed': 422,
  'driver.lifecycleFailed': 422,
  'driver.sourceFailed': 422,
  'workspace.notRunning': 409,
  'webhook.notFound': 404,
  'webhook.disabled': 409,
  'integration.notFound': 404,
  'integration.conflict': 409,
  'integration.badSignature': 401,
  'upload.notFound': 404,
  'upload.inUse': 409,
  'upload.quotaExceeded': 429,
  'upload.noSpace': 507,
  internal: 500,
};

/** HTTP status for an error code. */
export const statusOf = (code: ErrorCode): number => STATUS[code];

/** The problem+json body (RFC 9457) with workbay's `code`, `requestId` and per-field `errors`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  errors?: FieldError[];
}

/** Renders any error as problem+json. Unknown errors become a bare 500 that leaks nothing. */
export function problemResponse(c: Context<ApiEnv>, err: unknown): Response {
  const e = toWorkbayError(err);
  const status = statusOf(e.code);
  const body: Problem = {
    type: `https://workbay.dev/problems/${e.code}`,
    title: e.code,
    status,
    detail: e.message,
    code: e.code,
    // Unset only in a context that did not pass createApp's first middleware.
    requestId: c.get('requestId') ?? '',
    ...(e.errors.length ? { errors: e.errors } : {}),
    ...e.extensions,
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (e.code === 'auth.unauthenticated') headers['www-authenticate'] = 'Bearer realm="workbay"';
  return new Response(JSON.stringify(body), { status, headers });
}

/** Maps framework errors (bad JSON, body limit) and stray exceptions onto our codes. */
export function toWorkbayError(err: unknown): WorkbayError {
  if (err instanceof WorkbayError) return err;
  if (err instanceof HTTPException) {
    if (err.status === 413) return new WorkbayError('request.tooLarge', 'request body is larger than 1 MiB');
    if (err.status === 401) return new WorkbayError('auth.unauthenticated', err.message || 'authentication required');
    if (err.status < 500) {
      return new WorkbayError('request.invalid', err.message || 'invalid request', {
        errors: [{ field: 'body', message: err.message || 'invalid request' }],
      });
    }
  }
  return new WorkbayError('internal', 'internal error', { cause: err });
}

/** Turns a zod failure into field errors (`target` is `body`, `query`, `params` or `header`). */
export function zodProblem(error: ZodError, target: string): WorkbayError {
  // Reported like config problems: the first MAX_REPORTED_ERRORS, then a count, so the answer stays small.
  const errors: FieldError[] = error.issues.slice(0, MAX_REPORTED_ERRORS).map((i) => ({
    field: [target, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const rest = error.issues.length - errors.length;
  const more = rest > 0 ? ` (and ${rest.toLocaleString('en-US')} more)` : '';
  const detail = `invalid ${target}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}${more}`;
  if (rest > 0) errors.push({ field: target, message: `…and ${rest.toLocaleString('en-US')} more` });
  return new WorkbayError('request.invalid', detail, { errors });
}
