import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { monotonicFactory } from 'ulid';
import { findTooDeepJson, LIMITS, tooDeepMessage } from '../config/limits';
import { positionIndex } from '../config/issues';
import { WorkbayError } from '../errors';
import { authenticate } from './auth';
import type { ApiDeps, ApiEnv } from './context';
import { problemResponse, toWorkbayError, zodProblem } from './problem';
import { providerRoutes } from './routes/providers';
import { tokenRoutes } from './routes/tokens';
import { workspaceRoutes } from './routes/workspaces';
import { workspaceOpsRoutes } from './routes/workspace-ops';
import { sweepRoutes } from './routes/sweeps';
import { webhookRoutes } from './routes/webhooks';
import { integrationRoutes } from './routes/integrations';
import { isSignedInbound } from './routes/integrations-inbound';
import { portalRoutes } from './routes/portal';
import { attachRoutes } from './routes/attach';
import { uploadRoutes } from './routes/uploads';
import { configRoutes } from './routes/configs';

/** Largest request body accepted (DESIGN §7). */
export const MAX_BODY_BYTES = 1024 * 1024;

const health = createRoute({
  method: 'get', path: '/healthz', tags: ['system'], summary: 'Liveness (no auth)',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

/** Builds the HTTP API. The same app runs in embedded mode (node-server) and in Lambda (hono/aws-lambda). */
export function createApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw zodProblem(result.error, result.target);
    },
  });

  // Monotonic: within one millisecond the next id increments the last instead of drawing 80 new random bits.
  const requestUlid = monotonicFactory();
  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || requestUlid();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
  });
  const bearer = authenticate(deps.store, { log: deps.log });
  // GitHub and Slack cannot send a bearer token: their HMAC signature authenticates those requests.
  app.use('/v1/*', (c, next) => (isSignedInbound(c.req.method, c.req.path) ? next() : bearer(c, next)));
  uploadRoutes(app, deps); // before the 1 MiB body limit: uploads stream to disk under their own cap
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problemResponse(c, new WorkbayError('request.tooLarge', `request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`)),
  });
  // No route reads the body of a GET or HEAD: wrapping it would cost the hottest requests for nothing.
  app.use('/v1/*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, next)));
  app.use('/v1/*', async (c, next) => {
    // JSON.parse copes with any depth, but JSON.stringify, zod and our own walks recurse per level.
    if (c.req.method === 'GET' || !/json/i.test(c.req.header('content-type') ?? '')) return next();
    // Read as bytes (cached by hono), so handlers that verify a signature over the raw body still can.
    const text = new TextDecoder().decode(await c.req.arrayBuffer());
    const at = findTooDeepJson(text);
    if (at === undefined) return next();
    const { line, column } = positionIndex(text)(at);
    const message = tooDeepMessage();
    return problemResponse(c, new WorkbayError('request.invalid', `invalid body: ${message}`, {
      errors: [{ field: 'body', message, line, column, hint: `Keep nesting within ${LIMITS.depth} levels.` }],
    }));
  });

  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));
  providerRoutes(app, deps);
  workspaceRoutes(app, deps);
  workspaceOpsRoutes(app, deps);
  attachRoutes(app, deps);
  configRoutes(app, deps);
  sweepRoutes(app, deps);
  tokenRoutes(app, deps);
  webhookRoutes(app, deps);
  integrationRoutes(app, deps);
  portalRoutes(app);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'workbay', version: '1', description: 'Control plane for developer workspaces (DevPod-compatible providers).' },
  });

  app.notFound((c) => problemResponse(c, new WorkbayError('route.notFound', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const e = toWorkbayError(err);
    if (e.code === 'internal' || e.code === 'store.unavailable') {
      deps.log?.({ level: 'error', requestId: c.get('requestId'), code: e.code, error: describe(err) });
    }
    return problemResponse(c, e);
  });
  return app;
}

/** An error's name and message for logs; never request bodies or headers, which may carry secrets. */
function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (cause: ${err.cause.name}: ${err.cause.message})` : '';
  return err instanceof Error ? `${err.name}: ${err.message}${cause}` : String(err);
}
