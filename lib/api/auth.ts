import type { MiddlewareHandler } from 'hono';
import type { Store } from '../store';
import { WorkbayError } from '../errors';
import type { ApiEnv, Principal } from './context';
import { clientKey, FailedAuthLimiter } from './auth-limiter';
import { problemResponse } from './problem';
import { hashToken, isExpired } from './tokens';

const BEARER = /^Bearer\s+(\S+)\s*$/i;
/** "Last used" is written at most once per this interval per token, never on every request. */
export const LAST_USED_EVERY_MS = 60_000;

/** Options of the authentication middleware. */
export interface AuthOptions {
  /** Failed-authentication limiter; one per app by default, so one per process. */
  limiter?: FailedAuthLimiter;
  now?: () => number;
  /** Gets one line when a client becomes blocked (its address, never a token). */
  log?: (entry: Record<string, unknown>) => void;
}

/**
 * Resolves the bearer token to a principal; 401 without a valid one (unknown, revoked or expired).
 * A client with too many failed authentications gets 429 with `Retry-After` for every request,
 * a correct token included: were a correct token let through, the limit would stop guessing only
 * for guesses that are wrong, and the one that is right would still be told so.
 */
export function authenticate(store: Store, o: AuthOptions = {}): MiddlewareHandler<ApiEnv> {
  const limiter = o.limiter ?? new FailedAuthLimiter();
  const now = o.now ?? Date.now;
  return async (c, next) => {
    // Nobody failed lately (the usual case): nobody is blocked, so the caller's address is not needed yet.
    let client = limiter.size > 0 ? clientKey(c) : undefined;
    const wait = client ? limiter.retryAfter(client, now()) : 0;
    if (wait > 0) {
      const res = problemResponse(c, new WorkbayError('auth.rateLimited', `too many failed authentications from this client; try again in ${wait} s`));
      res.headers.set('retry-after', String(wait));
      return res;
    }
    const m = BEARER.exec(c.req.header('authorization') ?? '');
    // A request without a token guesses nothing, so it is not counted.
    if (!m?.[1]) throw new WorkbayError('auth.unauthenticated', 'missing bearer token: send "Authorization: Bearer <token>"');
    const rec = await store.tokens.get(hashToken(m[1]));
    const at = now();
    if (!rec || isExpired(rec, at)) {
      client ??= clientKey(c);
      limiter.recordFailure(client, at);
      const wait = limiter.retryAfter(client, at);
      if (wait > 0) o.log?.({ level: 'warn', msg: 'client blocked after failed authentications', client, retryAfterSeconds: wait, requestId: c.get('requestId') });
      throw new WorkbayError('auth.unauthenticated', rec ? 'token has expired; ask an admin for a new one' : 'invalid or revoked token');
    }
    if (!rec.lastUsedAt || at - Date.parse(rec.lastUsedAt) >= LAST_USED_EVERY_MS) {
      // Bookkeeping only: a failed write must not fail the request.
      await store.tokens.touch(rec, new Date(at).toISOString(), new Date(at - LAST_USED_EVERY_MS).toISOString()).catch(() => undefined);
    }
    c.set('principal', { owner: rec.owner, role: rec.role });
    await next();
  };
}

/** Throws 403 unless the caller is an admin. */
export function requireAdmin(p: Principal, what: string): void {
  if (p.role !== 'admin') throw new WorkbayError('auth.forbidden', `only admins can ${what}`);
}
