import type { MiddlewareHandler } from 'hono';
import type { Store } from '../store';
import { WorkbayError } from '../errors';
import type { ApiEnv, Principal } from './context';
import { hashToken } from './tokens';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Resolves the bearer token to a principal; 401 without a valid one. */
export function authenticate(store: Store): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const m = BEARER.exec(c.req.header('authorization') ?? '');
    if (!m?.[1]) throw new WorkbayError('auth.unauthenticated', 'missing bearer token: send "Authorization: Bearer <token>"');
    const rec = await store.tokens.get(hashToken(m[1]));
    if (!rec) throw new WorkbayError('auth.unauthenticated', 'invalid or revoked token');
    c.set('principal', { owner: rec.owner, role: rec.role });
    await next();
  };
}

/** Throws 403 unless the caller is an admin. */
export function requireAdmin(p: Principal, what: string): void {
  if (p.role !== 'admin') throw new WorkbayError('auth.forbidden', `only admins can ${what}`);
}
