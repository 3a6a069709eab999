import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { isWorkbayError, WorkbayError } from '../../errors';
// Not the folder's index: the disk store (and tar-stream) stays out of the Lambda bundle.
import { formatBytes, uploadNotFound, type UploadStore } from '../../uploads/types';
import type { ApiDeps, ApiEnv } from '../context';
import { problemResponses } from '../schemas';

const Upload = z.object({
  id: z.string(), sha256: z.string().openapi({ description: 'hex sha256 of the archive as received' }),
  size: z.number().int().openapi({ description: 'archive bytes' }), entries: z.number().int(), createdAt: z.string(),
  expiresAt: z.string().optional().openapi({ description: 'deleted then unless a workspace uses it' }),
  workspaceId: z.string().optional().openapi({ description: 'the workspace that uses it; the upload is deleted with it' }),
}).openapi('Upload');

const Limits = z.object({
  maxBytes: z.number().int().openapi({ description: 'largest archive accepted' }),
  expiresAfterSeconds: z.number().int().openapi({ description: 'how long an upload no workspace uses is kept' }),
  unused: z.object({
    maxCount: z.number().int().openapi({ description: 'uploads no workspace uses that one owner may hold at once (0: no limit)' }),
    maxBytes: z.number().int().openapi({ description: 'their total bytes (0: no limit)' }),
  }),
}).openapi('UploadLimits');

const UploadList = z.object({ items: z.array(Upload) }).openapi('UploadList');

const UploadId = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an upload id') });

const tags = ['uploads'];
const security = [{ bearer: [] }];
const AWS_NOTE = 'Only deployments with a data dir (embedded mode) keep uploads; the AWS deployment answers 400 (Lambda payloads are capped at 6 MB and the stack has no object store).';

const limits = createRoute({
  method: 'get', path: '/v1/uploads/limits', tags, security, summary: 'How large an upload may be, and how many may wait unused',
  description: AWS_NOTE,
  responses: { 200: { description: 'the limits', content: { 'application/json': { schema: Limits } } }, ...problemResponses(400) },
});

const create = createRoute({
  method: 'post', path: '/v1/uploads', tags, security, summary: 'Upload a folder archive (workbay up ./folder)',
  description: 'A plain tar of relative paths, streamed (`content-type: application/x-tar`); hashed and size-capped while it is written '
    + '(over the cap: 413, nothing kept). Use it as a create request\'s source `{"upload": {"id": …}}`; only the uploader\'s workspaces may. '
    + `An upload no workspace uses expires; one in use is deleted with its workspace. ${AWS_NOTE} `
    + 'Before the body is read: 429 `upload.quotaExceeded` (with `Retry-After`) when the caller\'s unused uploads, this one counted '
    + 'at its content-length, would pass the per-owner limits of `/v1/uploads/limits`; 507 `upload.noSpace` when the data dir is short of free space.',
  request: { body: { content: { 'application/x-tar': { schema: z.string().openapi({ format: 'binary' }) } }, required: true } },
  responses: { 201: { description: 'stored', content: { 'application/json': { schema: Upload } } }, ...problemResponses(400, 413, 507) },
});

const list = createRoute({
  method: 'get', path: '/v1/uploads', tags, security, summary: 'Your uploads no workspace uses (what counts against the limits)',
  description: `Oldest first. Delete one you no longer need to make room. ${AWS_NOTE}`,
  responses: { 200: { description: 'the uploads', content: { 'application/json': { schema: UploadList } } }, ...problemResponses(400) },
});

const show = createRoute({
  method: 'get', path: '/v1/uploads/{id}', tags, security, summary: 'One of your uploads',
  request: { params: UploadId },
  responses: { 200: { description: 'the upload', content: { 'application/json': { schema: Upload } } }, ...problemResponses(400, 404) },
});

const remove = createRoute({
  method: 'delete', path: '/v1/uploads/{id}', tags, security, summary: 'Delete an upload no workspace uses',
  request: { params: UploadId },
  responses: { 204: { description: 'deleted (or already gone)' }, ...problemResponses(400, 409) },
});

function storeOf(deps: ApiDeps): UploadStore {
  if (!deps.uploads) {
    throw new WorkbayError('request.invalid', 'this deployment keeps no uploads: the AWS deployment (Lambda, 6 MB payloads, no object store) cannot take a folder; push it to a git remote and run workbay up <git-url>, or use embedded mode', {
      errors: [{ field: 'body', message: 'uploads need a long-lived deployment with a data dir (embedded mode)' }],
    });
  }
  return deps.uploads;
}

/**
 * `/v1/uploads`: folder archives for `upload` sources. Registered before the API's 1 MiB body limit:
 * an upload streams to disk under its own cap instead of being buffered.
 */
export function uploadRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(limits, (c) => {
    const s = storeOf(deps);
    return c.json({ maxBytes: s.maxBytes, expiresAfterSeconds: s.ttlSeconds, unused: { maxCount: s.quota.count, maxBytes: s.quota.bytes } }, 200);
  });

  app.use('/v1/uploads', async (c, next) => {
    await next();
    // The client may still be sending the rest of a refused body: this connection cannot carry another request.
    if (c.req.method === 'POST' && c.res.status >= 400) c.res.headers.set('connection', 'close');
    if (isWorkbayError(c.error, 'upload.quotaExceeded') && c.error.extensions.retryAfter) c.res.headers.set('retry-after', c.error.extensions.retryAfter);
  });

  app.openapi(list, async (c) => {
    const items = await storeOf(deps).listUnused(c.get('principal').owner);
    return c.json({ items: items.map(({ owner: _, ...view }) => view) }, 200);
  });

  app.openapi(create, async (c) => {
    const s = storeOf(deps);
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(x-)?tar\b/i.test(type)) {
      throw new WorkbayError('request.invalid', `an upload is a tar archive (content-type: application/x-tar), not ${type || 'a body without a content type'}`, {
        errors: [{ field: 'header.content-type', message: 'must be application/x-tar' }],
      });
    }
    const length = Number(c.req.header('content-length') ?? NaN);
    if (length > s.maxBytes) {
      throw new WorkbayError('request.tooLarge', `the upload is ${formatBytes(length)} (${length} bytes), larger than the cap of ${formatBytes(s.maxBytes)} (${s.maxBytes} bytes)`, {
        errors: [{ field: 'body', message: `at most ${s.maxBytes} bytes` }],
      });
    }
    const body = c.req.raw.body;
    if (!body) throw new WorkbayError('request.invalid', 'the upload is empty', { errors: [{ field: 'body', message: 'send a tar archive' }] });
    const info = await s.put(c.get('principal').owner, body as unknown as AsyncIterable<Uint8Array>, Number.isSafeInteger(length) && length >= 0 ? { size: length } : {});
    const { owner: _, ...view } = info;
    return c.json(view, 201);
  });

  app.openapi(show, async (c) => {
    const { id } = c.req.valid('param');
    const info = await storeOf(deps).get(id);
    // Another owner's upload is reported as missing, like another owner's workspace.
    if (!info || info.owner !== c.get('principal').owner) throw uploadNotFound(id);
    const { owner: _, ...view } = info;
    return c.json(view, 200);
  });

  app.openapi(remove, async (c) => {
    const s = storeOf(deps);
    const { id } = c.req.valid('param');
    const info = await s.get(id);
    if (info && info.owner === c.get('principal').owner) {
      if (info.workspaceId) throw new WorkbayError('upload.inUse', `upload ${id} is used by workspace ${info.workspaceId}; it is deleted with that workspace`);
      await s.delete(id);
    }
    return c.body(null, 204);
  });
}
