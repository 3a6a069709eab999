import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { WorkbayError } from '../../errors';
import { deliveryView, webhookView, type WebhookService } from '../../webhooks';
import type { ApiDeps, ApiEnv } from '../context';
import { problemResponses } from '../schemas';
import { CreateWebhook, Delivery, DeliveryList, DeliveryParams, DeliveryQuery, Webhook, WebhookIdParam, WebhookList, WebhookWithSecret } from './webhooks-schemas';

const security = [{ bearer: [] }];
const tags = ['webhooks'];
const json = <T>(schema: T) => ({ 'application/json': { schema } });

const create = createRoute({
  method: 'post', path: '/v1/webhooks', tags, security,
  summary: 'Subscribe a receiver to workspace events (Standard Webhooks); the signing secret is shown once',
  request: { body: { required: true, content: json(CreateWebhook) } },
  responses: { 201: { description: 'subscribed', content: json(WebhookWithSecret) }, ...problemResponses(400, 403) },
});
const list = createRoute({
  method: 'get', path: '/v1/webhooks', tags, security, summary: 'List subscriptions (an admin sees every one); never the secrets',
  responses: { 200: { description: 'subscriptions', content: json(WebhookList) } , ...problemResponses() },
});
const show = createRoute({
  method: 'get', path: '/v1/webhooks/{id}', tags, security, summary: 'Show a subscription, its health and whether it was disabled',
  request: { params: WebhookIdParam }, responses: { 200: { description: 'subscription', content: json(Webhook) }, ...problemResponses(400, 404) },
});
const remove = createRoute({
  method: 'delete', path: '/v1/webhooks/{id}', tags, security, summary: 'Remove a subscription; pending deliveries are dropped',
  request: { params: WebhookIdParam }, responses: { 204: { description: 'removed' }, ...problemResponses(400, 404) },
});
const rotate = createRoute({
  method: 'post', path: '/v1/webhooks/{id}/rotate-secret', tags, security,
  summary: 'New signing secret (shown once); the old one keeps signing for 24 h, so deliveries carry both signatures meanwhile',
  request: { params: WebhookIdParam }, responses: { 200: { description: 'rotated', content: json(WebhookWithSecret) }, ...problemResponses(400, 404) },
});
const enable = createRoute({
  method: 'post', path: '/v1/webhooks/{id}/enable', tags, security, summary: 'Enable a disabled subscription again',
  request: { params: WebhookIdParam }, responses: { 200: { description: 'enabled', content: json(Webhook) }, ...problemResponses(400, 404) },
});
const deliveries = createRoute({
  method: 'get', path: '/v1/webhooks/{id}/deliveries', tags, security,
  summary: 'Delivery log, newest first: every attempt with status code, duration, error and the next try',
  request: { params: WebhookIdParam, query: DeliveryQuery },
  responses: { 200: { description: 'deliveries', content: json(DeliveryList) }, ...problemResponses(400, 404) },
});
const replay = createRoute({
  method: 'post', path: '/v1/webhooks/{id}/deliveries/{deliveryId}/replay', tags, security,
  summary: 'Send a delivery again, with the same webhook-id, starting the retry schedule over',
  request: { params: DeliveryParams },
  responses: { 202: { description: 'queued', content: json(Delivery) }, ...problemResponses(400, 404, 409) },
});

/** Outgoing-events subscription routes (owner or admin). */
export function webhookRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  const svc = async (): Promise<WebhookService> => {
    if (!deps.webhooks) throw new WorkbayError('internal', 'webhooks are not wired in this process');
    return deps.webhooks();
  };
  app.openapi(create, async (c) => {
    const { webhook, secret } = await (await svc()).create(c.get('principal'), c.req.valid('json'));
    deps.log?.({ level: 'info', msg: 'webhook created', webhookId: webhook.id, owner: webhook.owner });
    return c.json({ ...webhookView(webhook), secret }, 201);
  });
  app.openapi(list, async (c) => c.json({ items: (await (await svc()).list(c.get('principal'))).map((w) => webhookView(w)) }, 200));
  app.openapi(show, async (c) => c.json(webhookView(await (await svc()).get(c.get('principal'), c.req.valid('param').id)), 200));
  app.openapi(remove, async (c) => {
    await (await svc()).remove(c.get('principal'), c.req.valid('param').id);
    return c.body(null, 204);
  });
  app.openapi(rotate, async (c) => {
    const { webhook, secret } = await (await svc()).rotate(c.get('principal'), c.req.valid('param').id);
    deps.log?.({ level: 'info', msg: 'webhook secret rotated', webhookId: webhook.id });
    return c.json({ ...webhookView(webhook), secret }, 200);
  });
  app.openapi(enable, async (c) => c.json(webhookView(await (await svc()).enable(c.get('principal'), c.req.valid('param').id)), 200));
  app.openapi(deliveries, async (c) => {
    const page = await (await svc()).deliveries(c.get('principal'), c.req.valid('param').id, c.req.valid('query'));
    return c.json({ items: page.items.map(deliveryView), ...(page.cursor ? { cursor: page.cursor } : {}) }, 200);
  });
  app.openapi(replay, async (c) => {
    const { id, deliveryId } = c.req.valid('param');
    return c.json(deliveryView(await (await svc()).replay(c.get('principal'), id, deliveryId)), 202);
  });
}
