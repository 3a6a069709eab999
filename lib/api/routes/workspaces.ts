import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context';
import type { Actor } from '../../workspaces/service';
import { workspaceView } from '../../workspaces/view';
import type { WorkspaceRecord } from '../../store';
import { CreateWorkspace, Event, IdParam, ListQuery, UpdateWorkspace, WaitQuery, Workspace, WorkspaceList, problemResponses } from '../schemas';

const security = [{ bearer: [] }];
const one = { content: { 'application/json': { schema: Workspace } } };

const create = createRoute({
  method: 'post', path: '/v1/workspaces', tags: ['workspaces'], security, summary: 'Create a workspace',
  request: {
    query: WaitQuery,
    headers: z.object({ 'idempotency-key': z.string().min(1).max(255).optional() }),
    body: { required: true, content: { 'application/json': { schema: CreateWorkspace } } },
  },
  responses: {
    201: { description: 'Running (after ?wait)', ...one },
    202: { description: 'accepted; poll GET until Running or Error', ...one },
    200: { description: 'an earlier request with the same Idempotency-Key created it', ...one },
    ...problemResponses(400, 403, 404, 409, 413, 422),
  },
});

const list = createRoute({
  method: 'get', path: '/v1/workspaces', tags: ['workspaces'], security, summary: 'List your workspaces, newest first',
  request: { query: ListQuery },
  responses: { 200: { description: 'a page', content: { 'application/json': { schema: WorkspaceList } } }, ...problemResponses(400) },
});

const show = createRoute({
  method: 'get', path: '/v1/workspaces/{id}', tags: ['workspaces'], security, summary: 'Show a workspace',
  request: { params: IdParam },
  responses: { 200: { description: 'workspace', ...one }, ...problemResponses(404) },
});

const update = createRoute({
  method: 'patch', path: '/v1/workspaces/{id}', tags: ['workspaces'], security, summary: 'Change a workspace (keep: exempt from retention)',
  request: { params: IdParam, body: { required: true, content: { 'application/json': { schema: UpdateWorkspace } } } },
  responses: { 200: { description: 'workspace', ...one }, ...problemResponses(400, 403, 404) },
});

const transition = (verb: 'stop' | 'start') => createRoute({
  method: 'post', path: `/v1/workspaces/{id}/${verb}`, tags: ['workspaces'], security, summary: `Request a ${verb}`,
  request: { params: IdParam, query: WaitQuery },
  responses: { 200: { description: 'settled', ...one }, 202: { description: 'accepted', ...one }, ...problemResponses(403, 404, 409) },
});

const remove = createRoute({
  method: 'delete', path: '/v1/workspaces/{id}', tags: ['workspaces'], security, summary: 'Delete a workspace',
  request: {
    params: IdParam,
    query: WaitQuery.extend({
      force: z.enum(['true', 'false']).optional().openapi({ description: 'admin only: remove the record whatever the engine says; the orphan collector removes what is left once the engine is reachable' }),
    }),
  },
  responses: { 204: { description: 'gone' }, 202: { description: 'deleting', ...one }, ...problemResponses(403, 404) },
});

const events = createRoute({
  method: 'get', path: '/v1/workspaces/{id}/events', tags: ['workspaces'], security, summary: 'Audit events, oldest first',
  request: { params: IdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), after: z.string().optional() }) },
  responses: { 200: { description: 'events', content: { 'application/json': { schema: z.object({ items: z.array(Event) }) } } }, ...problemResponses(404) },
});

/** Holds until the workspace settles or `seconds` pass; undefined once it is gone. */
async function waitFor(deps: ApiDeps, actor: Actor, ws: WorkspaceRecord, seconds: number | undefined) {
  if (!seconds) return ws;
  // Gone while waiting (a delete finished): the caller answers 204.
  return deps.ops.waitSettled(actor, ws.id, seconds * 1000).catch(() => undefined);
}

/** Workspace lifecycle routes (DESIGN §7). */
export function workspaceRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(create, async (c) => {
    const actor = c.get('principal');
    const { workspace, created } = await deps.workspaces.create(actor, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
    const ws = (await waitFor(deps, actor, workspace, c.req.valid('query').wait)) ?? workspace;
    const status = !created ? 200 : ws.status === 'Running' ? 201 : 202;
    return c.json(workspaceView(ws), status, { location: `/v1/workspaces/${ws.id}` });
  });
  app.openapi(list, async (c) => {
    const page = await deps.workspaces.list(c.get('principal'), c.req.valid('query'));
    return c.json({ items: page.items.map(workspaceView), cursor: page.cursor }, 200);
  });
  app.openapi(show, async (c) => c.json(workspaceView(await deps.workspaces.get(c.get('principal'), c.req.valid('param').id)), 200));
  app.openapi(update, async (c) => {
    // Reads the provider's policy (the YAML parser): loaded by the first PATCH, not with the group.
    const { setKeep } = await import('../../workspaces/lifecycle-keep');
    return c.json(workspaceView(await setKeep(deps.store, deps.workspaces, c.get('principal'), c.req.valid('param').id, c.req.valid('json').keep)), 200);
  });
  for (const verb of ['stop', 'start'] as const) {
    app.openapi(transition(verb), async (c) => {
      const actor = c.get('principal');
      const ws = await deps.workspaces.setDesired(actor, c.req.valid('param').id, verb === 'stop' ? 'Stopped' : 'Running');
      const cur = ws && ((await waitFor(deps, actor, ws, c.req.valid('query').wait)) ?? ws);
      const settled = cur && cur.status === (verb === 'stop' ? 'Stopped' : 'Running');
      return c.json(workspaceView(cur!), settled ? 200 : 202);
    });
  }
  app.openapi(remove, async (c) => {
    const actor = c.get('principal');
    if (c.req.valid('query').force === 'true') {
      await deps.workspaces.forceDelete(actor, c.req.valid('param').id);
      return c.body(null, 204);
    }
    const ws = await deps.workspaces.setDesired(actor, c.req.valid('param').id, 'Deleted');
    const cur = ws && (await waitFor(deps, actor, ws, c.req.valid('query').wait));
    return cur ? c.json(workspaceView(cur), 202) : c.body(null, 204);
  });
  app.openapi(events, async (c) => {
    const items = await deps.workspaces.events(c.get('principal'), c.req.valid('param').id, c.req.valid('query'));
    return c.json({ items }, 200);
  });
}
