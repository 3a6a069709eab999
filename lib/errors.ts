/** One problem with one input field, as reported in problem+json `errors`. */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `agent.kubernetes.persistentVolumeSize`. */
  field: string;
  /** Why the value was refused, in words a user can act on. */
  message: string;
  /** 1-based line in the submitted document, when the input was a file. */
  line?: number;
  /** 1-based column in the submitted document, when the input was a file. */
  column?: number;
  /** A hint on how to fix it, when one helps. */
  hint?: string;
  /** The policy rule that refused it (`policy.privileged`), for `policy.denied`. */
  rule?: string;
}

/**
 * Namespaced error codes. The namespace before the dot says which layer raised it; the API maps
 * each code to an HTTP status in one place (lib/api/problem.ts).
 */
export type ErrorCode =
  | 'config.invalid'
  | 'request.invalid'
  | 'option.notUserSettable'
  | 'request.tooLarge'
  | 'route.notFound'
  | 'auth.unauthenticated'
  | 'auth.forbidden'
  | 'auth.rateLimited'
  | 'token.notFound'
  | 'policy.denied'
  | 'quota.exceeded'
  | 'provider.notFound'
  | 'provider.conflict'
  | 'provider.inUse'
  | 'workspace.notFound'
  | 'workspace.conflict'
  | 'workspace.invalidState'
  | 'idempotency.conflict'
  | 'store.conflict'
  | 'lease.lost'
  | 'store.unavailable'
  | 'driver.unreachable'
  | 'driver.failed'
  | 'driver.imageUnavailable'
  | 'driver.buildFailed'
  | 'driver.lifecycleFailed'
  | 'driver.sourceFailed'
  | 'workspace.notRunning'
  | 'webhook.notFound'
  | 'webhook.disabled'
  | 'integration.notFound'
  | 'integration.conflict'
  | 'integration.badSignature'
  | 'upload.notFound'
  | 'upload.inUse'
  | 'upload.quotaExceeded'
  | 'upload.noSpace'
  | 'internal';

/** The single error base of workbay. Everything thrown on purpose is one of these. */
export class WorkbayError extends Error {
  readonly code: ErrorCode;
  readonly errors: FieldError[];
  /** Machine-readable members of the problem (the conflicting name, a workspace id), so no client parses text. */
  readonly extensions: Record<string, string>;

  constructor(code: ErrorCode, message: string, opts: { errors?: FieldError[]; cause?: unknown; extensions?: Record<string, string> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'WorkbayError';
    this.code = code;
    this.errors = opts.errors ?? [];
    this.extensions = opts.extensions ?? {};
  }
}

/** True when `err` is a WorkbayError with the given code. */
export function isWorkbayError(err: unknown, code?: ErrorCode): err is WorkbayError {
  return err instanceof WorkbayError && (code === undefined || err.code === code);
}

/** Shorthand for a `config.invalid` error listing field problems. */
export function configError(message: string, errors: FieldError[]): WorkbayError {
  return new WorkbayError('config.invalid', message, { errors });
}
