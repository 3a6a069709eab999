import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkbayError } from '../../errors';
import { CreateIntegration, integrationView, SlackConfig } from '../../integrations';
import type { IntegrationRecord } from '../../store';
import type { ApiDeps, ApiEnv } from '../context';
import { requireAdmin } from '../auth';
import { problemResponses } from '../schemas';
import { Integration, IntegrationEvent, IntegrationIdParam, IntegrationList, LinkBody, LinkParams } from './integrations-schemas';
import { integrationInboundRoutes } from './integrations-inbound';

const security = [{ bearer: [] }];
const tags = ['integrations'];
const one = { content: { 'application/json': { schema: Integration } } };

const add = createRoute({
  method: 'post', path: '/v1/integrations', tags, security, summary: 'Add a GitHub or Slack integration (admin); secrets are references',
  request: { body: { required: true, content: { 'application/json': { schema: CreateIntegration } } } },
  responses: { 201: { description: 'added', ...one }, ...problemResponses(400, 403, 409) },
});
const list = createRoute({
  method: 'get', path: '/v1/integrations', tags, security, summary: 'List integrations (admin)',
  responses: { 200: { description: 'integrations', content: { 'application/json': { schema: IntegrationList } } }, ...problemResponses(403) },
});
const show = createRoute({
  method: 'get', path: '/v1/integrations/{id}', tags, security, summary: 'Show an integration with its Slack links (admin)',
  request: { params: IntegrationIdParam },
  responses: { 200: { description: 'integration', ...one }, ...problemResponses(403, 404) },
});
const remove = createRoute({
  method: 'delete', path: '/v1/integrations/{id}', tags, security, summary: 'Remove an integration (admin); its workspaces stay',
  request: { params: IntegrationIdParam },
  responses: { 204: { description: 'removed' }, ...problemResponses(403, 404) },
});
const events = createRoute({
  method: 'get', path: '/v1/integrations/{id}/events', tags, security, summary: 'Inbound requests and what they did, oldest first (admin)',
  request: { params: IntegrationIdParam, query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }) },
  responses: { 200: { description: 'events', content: { 'application/json': { schema: z.object({ items: z.array(IntegrationEvent) }) } } }, ...problemResponses(403, 404) },
});
const link = createRoute({
  method: 'put', path: '/v1/integrations/{id}/links/{user}', tags, security, summary: 'Link a Slack user to a workbay owner (admin)',
  request: { params: LinkParams, body: { required: true, content: { 'application/json': { schema: LinkBody } } } },
  responses: { 200: { description: 'linked', ...one }, ...problemResponses(400, 403, 404) },
});
const unlink = createRoute({
  method: 'delete', path: '/v1/integrations/{id}/links/{user}', tags, security, summary: 'Remove a Slack user\'s link (admin)',
  request: { params: LinkParams },
  responses: { 204: { description: 'unlinked' }, ...problemResponses(403, 404) },
});

/** Integration routes: admin CRUD and Slack links, then the signed inbound endpoints. */
export function integrationRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const svc = async () => {
    if (!deps.integrations) throw new WorkbayError('route.notFound', 'integrations are not enabled in this process');
    return deps.integrations();
  };
  const repo = () => deps.store.integrations;
  const view = async (rec: IntegrationRecord) => integrationView(rec, rec.kind === 'slack' ? await repo().listLinks(rec.id) : undefined);
  app.openapi(add, async (c) => {
    requireAdmin(c.get('principal'), 'add integrations');
    const rec = await (await svc()).create(c.req.valid('json'));
    return c.json(await view(rec), 201, { location: `/v1/integrations/${rec.id}` });
  });
  app.openapi(list, async (c) => {
    requireAdmin(c.get('principal'), 'list integrations');
    const items = (await repo().list()).map((r) => integrationView(r)).sort((a, b) => a.id.localeCompare(b.id));
    return c.json({ items }, 200);
  });
  app.openapi(show, async (c) => {
    requireAdmin(c.get('principal'), 'show integrations');
    return c.json(await view(await (await svc()).get(c.req.valid('param').id)), 200);
  });
  app.openapi(remove, async (c) => {
    requireAdmin(c.get('principal'), 'remove integrations');
    const { id } = c.req.valid('param');
    if (!(await repo().remove(id))) throw new WorkbayError('integration.notFound', `no integration "${id}"`);
    deps.log?.({ level: 'info', msg: 'integration removed', integration: id, by: c.get('principal').owner });
    return c.body(null, 204);
  });
  app.openapi(events, async (c) => {
    requireAdmin(c.get('principal'), 'read integration events');
    const { id } = c.req.valid('param');
    await (await svc()).get(id);
    return c.json({ items: await repo().events(id, c.req.valid('query').limit) }, 200);
  });
  app.openapi(link, async (c) => {
    requireAdmin(c.get('principal'), 'link Slack users');
    const { id, user } = c.req.valid('param');
    const rec = await (await svc()).get(id);
    if (rec.kind !== 'slack') throw new WorkbayError('integration.notFound', `no Slack integration "${id}"`);
    const { teamId } = SlackConfig.parse(rec.config);
    await repo().putLink(id, teamId, user, c.req.valid('json').owner);
    return c.json(await view(rec), 200);
  });
  app.openapi(unlink, async (c) => {
    requireAdmin(c.get('principal'), 'unlink Slack users');
    const { id, user } = c.req.valid('param');
    const rec = await (await svc()).get(id);
    const teamId = rec.kind === 'slack' ? SlackConfig.parse(rec.config).teamId : '';
    if (!(await repo().removeLink(id, teamId, user))) throw new WorkbayError('integration.notFound', `Slack user ${user} is not linked`);
    return c.body(null, 204);
  });
  integrationInboundRoutes(app, deps);
}
