import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context';
import { IdParam, problemResponses } from '../schemas';
import { LIMITS } from '../../config/limits';

const security = [{ bearer: [] }];

/** One argv entry: the kernel refuses NUL bytes, which would come back from the engine as a 5xx. */
const Arg = z.string().max(131_072).refine((v) => !v.includes('\u0000'), 'must not contain a NUL character');

const ExecBody = z.object({
  command: z.union([Arg.min(1), z.array(Arg).min(1).max(LIMITS.entries)]).openapi({ description: 'argv, or a string run as `sh -c` inside the workspace' }),
  user: z.string().max(64).optional(),
  timeoutSeconds: z.number().int().min(1).max(3600).optional(),
}).strict().openapi('ExecRequest');

/** POST /v1/workspaces/{id}/exec's answer (the CLI imports its type). */
export const ExecResult = z.object({
  exitCode: z.number().int(), stdout: z.string(), stderr: z.string(), timedOut: z.boolean().optional(),
}).openapi('ExecResult');

/** GET /v1/workspaces/{id}/connection's answer (the CLI imports its type). */
export const Connection = z.object({
  attach: z.array(z.string()), workspaceFolder: z.string(), user: z.string().optional(),
  ports: z.array(z.union([z.number(), z.string()])), env: z.record(z.string(), z.string()),
}).openapi('Connection');

const exec = createRoute({
  method: 'post', path: '/v1/workspaces/{id}/exec', tags: ['workspaces'], security,
  summary: 'Run a command in the workspace (counts as activity)',
  request: {
    params: IdParam,
    query: z.object({ autostart: z.enum(['true', 'false']).optional().openapi({ description: 'start a stopped workspace first' }) }),
    body: { required: true, content: { 'application/json': { schema: ExecBody } } },
  },
  responses: { 200: { description: 'finished', content: { 'application/json': { schema: ExecResult } } }, ...problemResponses(400, 404, 409, 502) },
});

const activity = createRoute({
  method: 'post', path: '/v1/workspaces/{id}/activity', tags: ['workspaces'], security,
  summary: 'Heartbeat: the workspace is in use', request: { params: IdParam },
  responses: { 204: { description: 'recorded' }, ...problemResponses(404, 409) },
});

const logs = createRoute({
  method: 'get', path: '/v1/workspaces/{id}/logs', tags: ['workspaces'], security, summary: 'Container logs',
  request: { params: IdParam, query: z.object({ tail: z.coerce.number().int().min(1).max(10_000).default(500) }) },
  responses: { 200: { description: 'log text', content: { 'text/plain': { schema: z.string() } } }, ...problemResponses(404, 502) },
});

const connection = createRoute({
  method: 'get', path: '/v1/workspaces/{id}/connection', tags: ['workspaces'], security,
  summary: 'How to attach: a shell command built from the provider\'s path', request: { params: IdParam },
  responses: { 200: { description: 'connection info', content: { 'application/json': { schema: Connection } } }, ...problemResponses(404, 502) },
});

/** Routes that need a driver: exec, heartbeat, logs, connection. */
export function workspaceOpsRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(exec, async (c) => {
    const r = await deps.ops.exec(c.get('principal'), c.req.valid('param').id, c.req.valid('json'), { autostart: c.req.valid('query').autostart === 'true' });
    return c.json(r, 200);
  });
  app.openapi(activity, async (c) => {
    await deps.ops.heartbeat(c.get('principal'), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(logs, async (c) => c.text(await deps.ops.logs(c.get('principal'), c.req.valid('param').id, c.req.valid('query').tail), 200));
  app.openapi(connection, async (c) => c.json(await deps.ops.connection(c.get('principal'), c.req.valid('param').id), 200));
}
