import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Handler, MiddlewareHandler } from 'hono';
import type { ApiDeps, ApiEnv } from './context';
import { onceUntilFailed } from '../once';

/** Registers the routes of one group on the app it is given (the group's own sub-app). */
export type RegisterRoutes = (app: OpenAPIHono<ApiEnv>, deps: ApiDeps) => void;

/**
 * Routes under one path prefix, kept in modules of their own. The first request under the prefix
 * imports them (a lazy chunk in the Lambda bundle) and builds their zod schemas; a cold start pays
 * only for the group it serves (docs/adr/0020-lazy-api-loading.md).
 */
export interface RouteGroup {
  /** `/v1/workspaces`: the group answers this path and every path below it. */
  prefix: string;
  load: () => Promise<RegisterRoutes>;
}

/** Builds one group's routes (on first use, once); `/openapi.json` uses it to document every route. */
export type GroupBuilder = () => Promise<OpenAPIHono<ApiEnv>>;

/** What the parent app established for a request before handing it to a group. */
const handedOver = new WeakMap<Request, ApiEnv['Variables']>();

/**
 * Builds `group`'s sub-app on first use, once: made by `newApp` (the parent's error handling and
 * validation hook), with the request id and principal the parent's middleware set, then `guard`
 * (the body checks) before the group's routes. A failed import is retried by the next request
 * instead of being remembered.
 */
export function groupBuilder(group: RouteGroup, deps: ApiDeps, newApp: () => OpenAPIHono<ApiEnv>, guard?: MiddlewareHandler<ApiEnv>): GroupBuilder {
  return onceUntilFailed(async () => {
    const register = await group.load();
    const sub = newApp();
    sub.use('*', (c, next) => {
      const from = handedOver.get(c.req.raw);
      if (from?.requestId) {
        c.set('requestId', from.requestId);
        c.header('x-request-id', from.requestId); // in the response as it is built (see app.ts)
      }
      if (from?.principal) c.set('principal', from.principal);
      return next();
    });
    if (guard) sub.use('*', guard);
    register(sub, deps);
    return sub;
  });
}

/**
 * Starts building `group` on the first request under its prefix, without waiting for it.
 * Registered before authentication, the import overlaps the token read; the request itself
 * reports a failed import, and the next one starts it again.
 */
export function warmGroup(app: OpenAPIHono<ApiEnv>, group: RouteGroup, build: GroupBuilder): void {
  let started = false;
  const warm: MiddlewareHandler<ApiEnv> = (_c, next) => {
    if (!started) {
      started = true;
      build().catch(() => { started = false; });
    }
    return next();
  };
  app.use(group.prefix, warm);
  app.use(`${group.prefix}/*`, warm);
}

/**
 * Mounts `group` on `app`: requests under its prefix go to the sub-app `build` makes. Register it
 * after the parent's authentication, which hono runs in registration order.
 */
export function mountGroup(app: OpenAPIHono<ApiEnv>, group: RouteGroup, build: GroupBuilder): void {
  const handler: Handler<ApiEnv> = async (c) => {
    const sub = await build();
    // The parent never reads the body (the group's own app checks it), so the request is handed on as it is.
    const req = c.req.raw;
    handedOver.set(req, { requestId: c.get('requestId'), principal: c.get('principal') });
    return sub.fetch(req, c.env);
  };
  app.all(group.prefix, handler);
  app.all(`${group.prefix}/*`, handler);
}
