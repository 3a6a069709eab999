import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkbayError } from '../../errors';
import type { Store, TokenRecord } from '../../store';
import type { ApiDeps, ApiEnv } from '../context';
import { requireAdmin } from '../auth';
import { CreateToken, PrefixParam, Token, TokenList, problemResponses } from '../schemas';
import { generateToken, resolveExpiry, tokenHint, tokenRecord, tokenView } from '../tokens';

const security = [{ bearer: [] }];

const issue = createRoute({
  method: 'post', path: '/v1/tokens', tags: ['tokens'], security,
  summary: 'Issue a token for an owner and role, optionally expiring (admin); the token is shown once',
  request: { body: { required: true, content: { 'application/json': { schema: CreateToken } } } },
  responses: { 201: { description: 'issued', content: { 'application/json': { schema: Token } } }, ...problemResponses(400, 403) },
});

const list = createRoute({
  method: 'get', path: '/v1/tokens', tags: ['tokens'], security,
  summary: 'List every token with its prefix, owner, role, last use and expiry (admin); never the secret',
  responses: { 200: { description: 'tokens', content: { 'application/json': { schema: TokenList } } }, ...problemResponses(403) },
});

const revoke = createRoute({
  method: 'delete', path: '/v1/tokens/{prefix}', tags: ['tokens'], security,
  summary: 'Revoke a token by its prefix (admin); it gets 401 from the next request on',
  request: { params: PrefixParam },
  responses: { 204: { description: 'revoked' }, ...problemResponses(400, 403, 404) },
});

/** Prefixes are 36 random bits; a clash is rare but would make revoke-by-prefix ambiguous. */
async function freshToken(store: Store): Promise<string> {
  for (let i = 0; i < 5; i++) {
    const token = generateToken();
    if (!(await store.tokens.list(tokenHint(token))).length) return token;
  }
  throw new WorkbayError('internal', 'could not find an unused token prefix');
}

/** Token routes: issue, list, revoke (all admin). */
export function tokenRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(issue, async (c) => {
    requireAdmin(c.get('principal'), 'issue tokens');
    const body = c.req.valid('json');
    const now = new Date();
    const validUntil = resolveExpiry(body, now);
    const token = await freshToken(deps.store);
    const rec: TokenRecord = tokenRecord(token, { owner: body.owner, role: body.role, description: body.description, validUntil, now });
    await deps.store.tokens.put(rec);
    return c.json({
      token, prefix: rec.prefix, owner: rec.owner, role: rec.role, createdAt: rec.createdAt,
      ...(rec.validUntil ? { expiresAt: rec.validUntil } : {}), ...(rec.description ? { description: rec.description } : {}),
    }, 201);
  });

  app.openapi(list, async (c) => {
    requireAdmin(c.get('principal'), 'list tokens');
    const now = Date.now();
    const items = (await deps.store.tokens.list()).map((t) => tokenView(t, now))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.prefix.localeCompare(b.prefix));
    return c.json({ items }, 200);
  });

  app.openapi(revoke, async (c) => {
    requireAdmin(c.get('principal'), 'revoke tokens');
    const { prefix } = c.req.valid('param');
    const found = await deps.store.tokens.list(prefix);
    // Issue keeps generated prefixes unique; should two ever share one, both are revoked (the safe side).
    let removed = 0;
    for (const t of found) if (await deps.store.tokens.remove(t.hash)) removed++;
    if (!removed) {
      throw new WorkbayError('token.notFound', `no token with prefix "${prefix}"`, {
        errors: [{ field: 'params.prefix', message: 'no such token; GET /v1/tokens lists the prefixes' }],
      });
    }
    deps.log?.({ level: 'info', msg: 'token revoked', prefix, by: c.get('principal').owner });
    return c.body(null, 204);
  });
}
