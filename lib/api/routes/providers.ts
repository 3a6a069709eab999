import { createRoute, z, type OpenAPIHono, type RouteHandler } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context';
import { requireAdmin } from '../auth';
import { LIMITS } from '../../config/limits';
import { WorkbayError } from '../../errors';
import { AddProviderJson, Dns1123, NameParam, OptionValues, Provider, problemResponses } from '../schemas';

const security = [{ bearer: [] }];

const add = createRoute({
  method: 'post', path: '/v1/providers', tags: ['providers'], security,
  summary: 'Add a provider from DevPod-compatible YAML (admin)',
  request: {
    query: z.object({ name: Dns1123.optional() }),
    // Not `required`: zod-openapi then validates the JSON schema only for JSON requests, not for YAML.
    body: {
      required: false,
      content: {
        'application/yaml': { schema: z.string().openapi({ description: 'provider.yaml; options via ?name and the JSON form' }) },
        'application/json': { schema: AddProviderJson },
      },
    },
  },
  responses: { 201: { description: 'added', content: { 'application/json': { schema: Provider } } }, ...problemResponses(400, 403, 409, 413) },
});

const list = createRoute({
  method: 'get', path: '/v1/providers', tags: ['providers'], security, summary: 'List providers',
  responses: { 200: { description: 'providers', content: { 'application/json': { schema: z.object({ items: z.array(Provider) }) } } }, ...problemResponses() },
});

const show = createRoute({
  method: 'get', path: '/v1/providers/{name}', tags: ['providers'], security, summary: 'Show a provider (secrets masked)',
  request: { params: NameParam },
  responses: { 200: { description: 'provider', content: { 'application/json': { schema: Provider } } }, ...problemResponses(404) },
});

const remove = createRoute({
  method: 'delete', path: '/v1/providers/{name}', tags: ['providers'], security, summary: 'Delete a provider (admin; 409 while in use)',
  request: { params: NameParam },
  responses: { 204: { description: 'deleted' }, ...problemResponses(403, 404, 409) },
});

const setOptions = createRoute({
  method: 'put', path: '/v1/providers/{name}/options', tags: ['providers'], security,
  summary: 'Set option values (admin); an empty string unsets',
  request: {
    params: NameParam,
    body: { required: true, content: { 'application/json': { schema: z.object({ options: OptionValues }).strict() } } },
  },
  responses: { 200: { description: 'updated', content: { 'application/json': { schema: Provider } } }, ...problemResponses(400, 403, 404, 409) },
});

/** The add route's hono context, typed by its request schemas. */
type AddContext = Parameters<RouteHandler<typeof add, ApiEnv>>[0];

/** Reads the add-provider body: raw YAML, or JSON `{yaml, name?, options?}`. */
async function readAddBody(c: AddContext) {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    // Typed as either content's schema; a JSON request was validated against AddProviderJson, never the YAML string.
    const body = c.req.valid('json');
    if (typeof body !== 'string') return body;
  }
  if (['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain', ''].includes(type)) {
    return { yaml: await c.req.text(), name: undefined, options: undefined };
  }
  throw new WorkbayError('request.invalid', `unsupported content type "${type}"`, {
    errors: [{ field: 'header.content-type', message: 'send application/yaml (the provider file) or application/json ({yaml, name, options})' }],
  });
}

/** Provider routes (DESIGN §7). */
export function providerRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(add, async (c) => {
    requireAdmin(c.get('principal'), 'add providers');
    const body = await readAddBody(c);
    if (!body.yaml.trim()) {
      throw new WorkbayError('config.invalid', 'provider YAML is empty', { errors: [{ field: 'body', message: 'send the provider file' }] });
    }
    // Refused before parsing or writing: the file is stored whole in one item, which DynamoDB caps at 400 KB.
    if (Buffer.byteLength(body.yaml) > LIMITS.providerFileBytes) {
      throw new WorkbayError('request.tooLarge', `the provider file is larger than ${LIMITS.providerFileBytes / 1024} KiB`, {
        errors: [{ field: 'body', message: `at most ${LIMITS.providerFileBytes / 1024} KiB` }],
      });
    }
    const view = await deps.providers.add(body.yaml, { name: body.name ?? c.req.valid('query').name, options: body.options });
    return c.json(view, 201, { location: `/v1/providers/${view.name}` });
  });
  app.openapi(list, async (c) => c.json({ items: await deps.providers.list() }, 200));
  app.openapi(show, async (c) => c.json((await deps.providers.get(c.req.valid('param').name)), 200));
  app.openapi(remove, async (c) => {
    requireAdmin(c.get('principal'), 'delete providers');
    await deps.providers.delete(c.req.valid('param').name);
    return c.body(null, 204);
  });
  app.openapi(setOptions, async (c) => {
    requireAdmin(c.get('principal'), 'set provider options');
    const view = await deps.providers.setOptions(c.req.valid('param').name, c.req.valid('json').options);
    return c.json(view, 200);
  });
}
