import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { monotonicFactory } from 'ulid';
import { findTooDeepJson, LIMITS, tooDeepMessage } from '../config/limits';
import { positionIndex } from '../config/issues';
import { WorkbayError } from '../errors';
import { authenticate } from './auth';
import type { ApiDeps, ApiEnv } from './context';
import { problemResponse, toWorkbayError, zodProblem } from './problem';
import { isSignedInbound } from './routes/integrations-inbound-paths';
import { portalRoutes } from './routes/portal';
import { groupBuilder, mountGroup, warmGroup, type GroupBuilder, type RouteGroup } from './route-groups';
import { onceUntilFailed } from '../once';

/** Largest request body accepted (DESIGN §7). */
export const MAX_BODY_BYTES = 1024 * 1024;

const health = createRoute({
  method: 'get', path: '/healthz', tags: ['system'], summary: 'Liveness (no auth)',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

/** Folder uploads stream to disk under their own cap (not the 1 MiB body limit of the other groups). */
const UPLOADS: RouteGroup = { prefix: '/v1/uploads', load: async () => (await import('./routes/uploads')).uploadRoutes };

/** The API's route groups; each loads with its first request (docs/adr/0020-lazy-api-loading.md). */
const GROUPS: RouteGroup[] = [
  {
    prefix: '/v1/workspaces',
    load: async () => {
      const [ws, ops, attach] = await Promise.all([import('./routes/workspaces'), import('./routes/workspace-ops'), import('./routes/attach')]);
      return (app, deps) => {
        ws.workspaceRoutes(app, deps);
        ops.workspaceOpsRoutes(app, deps);
        attach.attachRoutes(app, deps);
      };
    },
  },
  {
    prefix: '/v1/providers',
    load: async () => {
      const [providers, configs] = await Promise.all([import('./routes/providers'), import('./routes/configs')]);
      return (app, deps) => {
        providers.providerRoutes(app, deps);
        configs.configRoutes(app, deps);
      };
    },
  },
  { prefix: '/v1/sweeps', load: async () => (await import('./routes/sweeps')).sweepRoutes },
  { prefix: '/v1/tokens', load: async () => (await import('./routes/tokens')).tokenRoutes },
  { prefix: '/v1/webhooks', load: async () => (await import('./routes/webhooks')).webhookRoutes },
  { prefix: '/v1/integrations', load: async () => (await import('./routes/integrations')).integrationRoutes },
];

const INFO = { title: 'workbay', version: '1', description: 'Control plane for developer workspaces (DevPod-compatible providers).' };

/** Route groups of each app, so tests and `/openapi.json` can build them all. */
const builders = new WeakMap<OpenAPIHono<ApiEnv>, GroupBuilder[]>();

/** Every route `app` serves, its route groups built (the lazy groups otherwise appear as one catch-all each). */
export async function servedRoutes(app: OpenAPIHono<ApiEnv>): Promise<OpenAPIHono<ApiEnv>['routes']> {
  const subs = await Promise.all((builders.get(app) ?? []).map((b) => b()));
  return [...app.routes, ...subs.flatMap((s) => s.routes)];
}

/** Builds the HTTP API. The same app runs in embedded mode (node-server) and in Lambda (hono/aws-lambda). */
export function createApp(deps: ApiDeps): OpenAPIHono<ApiEnv> {
  const newApp = (): OpenAPIHono<ApiEnv> => {
    const a = new OpenAPIHono<ApiEnv>({
      defaultHook: (result) => {
        if (!result.success) throw zodProblem(result.error, result.target);
      },
    });
    a.notFound((c) => problemResponse(c, new WorkbayError('route.notFound', `no route for ${c.req.method} ${c.req.path}`)));
    a.onError((err, c) => {
      const e = toWorkbayError(err);
      if (e.code === 'internal' || e.code === 'store.unavailable') {
        deps.log?.({ level: 'error', requestId: c.get('requestId'), code: e.code, error: describe(err) });
      }
      return problemResponse(c, e);
    });
    return a;
  };
  const app = newApp();

  // Monotonic: within one millisecond the next id increments the last instead of drawing 80 new random bits.
  const requestUlid = monotonicFactory(bufferedRandom());
  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 64) || requestUlid();
    c.set('requestId', requestId);
    // Set before the route answers, so its response is built with it: set afterwards, hono copies the
    // finished response (and node-server then streams the copy instead of writing one buffer).
    c.header('x-request-id', requestId);
    await next();
    // Problem documents are built as plain responses (and a group's come from its own context).
    if (!c.res.headers.has('x-request-id')) c.header('x-request-id', requestId);
  });
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => problemResponse(c, new WorkbayError('request.tooLarge', `request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`)),
  });
  const checkDepth = async (c: Context<ApiEnv>, next: Next): Promise<void> => {
    // JSON.parse copes with any depth, but JSON.stringify, zod and our own walks recurse per level.
    if (!/json/i.test(c.req.header('content-type') ?? '')) return next();
    // Read as bytes (cached by hono), so handlers that verify a signature over the raw body still can.
    const text = new TextDecoder().decode(await c.req.arrayBuffer());
    const at = findTooDeepJson(text);
    if (at === undefined) return next();
    const { line, column } = positionIndex(text)(at);
    const message = tooDeepMessage();
    throw new WorkbayError('request.invalid', `invalid body: ${message}`, {
      errors: [{ field: 'body', message, line, column, hint: `Keep nesting within ${LIMITS.depth} levels.` }],
    });
  };
  // The body checks run in each group's own app, where the routes read the body: checked in the
  // parent, a read body would have to be copied into a new request for the group.
  // No route reads the body of a GET or HEAD: checking it would cost the hottest requests for nothing.
  const checkBody: MiddlewareHandler<ApiEnv> = (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : limitBody(c, () => checkDepth(c, next)));
  // Folder uploads stream to disk under their own cap, so their group has no 1 MiB body limit.
  const mounted = [{ group: UPLOADS, build: groupBuilder(UPLOADS, deps, newApp) }, ...GROUPS.map((group) => ({ group, build: groupBuilder(group, deps, newApp, checkBody) }))];
  const groups = mounted.map((m) => m.build);
  // A group's first request starts loading its routes before authentication, so the import overlaps the token read.
  for (const { group, build } of mounted) warmGroup(app, group, build);
  const bearer = authenticate(deps.store, { log: deps.log });
  // GitHub and Slack cannot send a bearer token: their HMAC signature authenticates those requests.
  app.use('/v1/*', (c, next) => (isSignedInbound(c.req.method, c.req.path) ? next() : bearer(c, next)));
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));
  for (const { group, build } of mounted) mountGroup(app, group, build);
  builders.set(app, groups);
  portalRoutes(app);

  // Documents every group, so the first request for it builds them all; the document is kept.
  const document = onceUntilFailed(async () => {
    const doc = new OpenAPIHono<ApiEnv>();
    doc.openAPIRegistry.registerPath(health);
    for (const sub of await Promise.all(groups.map((b) => b()))) doc.route('/', sub);
    doc.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
    return doc.getOpenAPI31Document({ openapi: '3.1.0', info: INFO });
  });
  app.get('/openapi.json', async (c) => c.json(await document()));
  return app;
}

/**
 * ulid's default source asks the system for one byte per character, 16 calls per id in a new
 * millisecond; this one fills 4 KiB at a time from the same source (ids for 256 milliseconds).
 */
function bufferedRandom(): () => number {
  const bytes = new Uint8Array(4096);
  let at = bytes.length;
  return () => {
    if (at === bytes.length) {
      crypto.getRandomValues(bytes);
      at = 0;
    }
    return bytes[at++]! / 256;
  };
}

/** An error's name and message for logs; never request bodies or headers, which may carry secrets. */
function describe(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (cause: ${err.cause.name}: ${err.cause.message})` : '';
  return err instanceof Error ? `${err.name}: ${err.message}${cause}` : String(err);
}
