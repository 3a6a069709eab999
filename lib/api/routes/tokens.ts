import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context';
import { requireAdmin } from '../auth';
import { CreateToken, Token, problemResponses } from '../schemas';
import { generateToken, hashToken, tokenHint } from '../tokens';

const issue = createRoute({
  method: 'post', path: '/v1/tokens', tags: ['tokens'], security: [{ bearer: [] }],
  summary: 'Issue a token for an owner and role (admin); the token is shown once',
  request: { body: { required: true, content: { 'application/json': { schema: CreateToken } } } },
  responses: { 201: { description: 'issued', content: { 'application/json': { schema: Token } } }, ...problemResponses(400, 403) },
});

/** Token routes. */
export function tokenRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(issue, async (c) => {
    requireAdmin(c.get('principal'), 'issue tokens');
    const body = c.req.valid('json');
    const token = generateToken();
    const rec = { hash: hashToken(token), prefix: tokenHint(token), owner: body.owner, role: body.role, description: body.description, createdAt: new Date().toISOString() };
    await deps.store.tokens.put(rec);
    return c.json({ token, prefix: rec.prefix, owner: rec.owner, role: rec.role, createdAt: rec.createdAt }, 201);
  });
}
