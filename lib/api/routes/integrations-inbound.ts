import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkbayError } from '../../errors';
import type { ApiDeps, ApiEnv } from '../context';
import { problemResponses } from '../schemas';
import { GitHubOutcome, IntegrationIdParam, SlackAck } from './integrations-schemas';

export { isSignedInbound } from './integrations-inbound-paths';

const github = createRoute({
  method: 'post', path: '/v1/integrations/github/{id}', tags: ['integrations'],
  summary: 'GitHub webhook (pull_request, issue_comment, ping); authenticated by X-Hub-Signature-256, not a bearer token',
  request: {
    params: IntegrationIdParam,
    headers: z.object({
      'x-github-event': z.string().max(100).optional(), 'x-github-delivery': z.string().max(100).optional(),
      'x-hub-signature-256': z.string().max(200).optional(),
    }),
  },
  responses: {
    200: { description: 'ping answered, or a delivery handled before', content: { 'application/json': { schema: GitHubOutcome } } },
    202: { description: 'recorded; the reconciler does the work', content: { 'application/json': { schema: GitHubOutcome } } },
    ...problemResponses(400, 404, 413),
  },
});

const slack = createRoute({
  method: 'post', path: '/v1/integrations/slack/{id}', tags: ['integrations'],
  summary: 'Slack slash command /workbay (form-encoded); authenticated by the v0 signature within 5 minutes',
  request: {
    params: IntegrationIdParam,
    headers: z.object({
      'x-slack-request-timestamp': z.string().max(20).optional(), 'x-slack-signature': z.string().max(200).optional(),
      'x-slack-retry-num': z.string().max(10).optional(),
    }),
  },
  responses: {
    200: { description: 'ephemeral acknowledgement', content: { 'application/json': { schema: SlackAck } } },
    ...problemResponses(404, 413),
  },
});

/** Body bytes exactly as sent: signatures are over these, so nothing may parse them first. */
async function rawBody(c: { req: { arrayBuffer(): Promise<ArrayBuffer> } }): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer());
}

/** The signed inbound endpoints of GitHub and Slack. */
export function integrationInboundRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const service = async () => {
    if (!deps.integrations) throw new WorkbayError('route.notFound', 'integrations are not enabled in this process');
    return deps.integrations();
  };
  app.openapi(github, async (c) => {
    const h = c.req.valid('header');
    const out = await (await service()).github(c.req.valid('param').id, {
      event: h['x-github-event'], delivery: h['x-github-delivery'], signature: h['x-hub-signature-256'],
    }, await rawBody(c));
    return c.json(out.body, out.status);
  });
  app.openapi(slack, async (c) => {
    const h = c.req.valid('header');
    const msg = await (await service()).slack(c.req.valid('param').id, {
      timestamp: h['x-slack-request-timestamp'], signature: h['x-slack-signature'], retryNum: h['x-slack-retry-num'],
    }, await rawBody(c));
    return c.json(msg, 200);
  });
}
