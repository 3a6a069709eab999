import { z } from '@hono/zod-openapi';
import { imageReferenceProblem } from '../config/image-ref';
import { LIMITS } from '../config/limits';
import { ProviderViewSchema } from '../providers/view-schema';
import { WorkspaceStatusSchema, WorkspaceViewSchema } from '../workspaces/view-schema';

/** A string without NUL characters (no engine, shell or file system takes them). */
const NoNul = z.string().refine((v) => !v.includes('\u0000'), 'must not contain a NUL character');
/** An image reference in the distribution grammar; a local path is answered with the way to use git instead. */
const ImageRef = z.string().min(1).max(512).superRefine((v, ctx) => {
  const problem = imageReferenceProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem.hint ? `${problem.message}. ${problem.hint}` : problem.message });
});
/** At most `max` keys in a map from the request. */
const fewKeys = (max: number) => (v: Record<string, unknown>) => Object.keys(v).length <= max;

/** DNS-1123 label, the grammar of workspace and provider names. */
export const Dns1123 = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters');

export const Problem = z.object({
  type: z.string(), title: z.string(), status: z.number().int(), detail: z.string(),
  code: z.string(), requestId: z.string(),
  errors: z.array(z.object({
    field: z.string(), message: z.string(),
    line: z.number().int().optional(), column: z.number().int().optional(), hint: z.string().optional(), rule: z.string().optional(),
  })).optional(),
  name: z.string().optional().openapi({ description: 'workspace.conflict: the name that is taken' }),
  workspaceId: z.string().optional().openapi({ description: 'workspace.conflict: the workspace holding the name' }),
}).openapi('Problem');

export const OptionValues = z.record(z.string().regex(/^[A-Z0-9_]+$/, 'option names match ^[A-Z0-9_]+$'), NoNul.max(65_536))
  .refine(fewKeys(LIMITS.options), `at most ${LIMITS.options} options`);

/** The response shape is written once, beside `providerView`; here it is named for the OpenAPI document. */
export const Provider = ProviderViewSchema.openapi('Provider');

export const AddProviderJson = z.object({
  yaml: z.string().min(1),
  name: Dns1123.optional(),
  options: OptionValues.optional(),
}).openapi('AddProvider');

export const Source = z.union([
  z.object({ image: ImageRef }).strict(),
  z.object({ git: z.object({ url: NoNul.min(1).max(2048), ref: NoNul.max(255).optional() }).strict() }).strict(),
  z.object({
    upload: z.object({
      id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not an upload id (POST /v1/uploads answers one)'),
      folder: NoNul.min(1).max(1024).optional().openapi({ description: 'the folder\'s path on the uploader\'s machine: ${localWorkspaceFolder}' }),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex sha256').optional().openapi({ description: 'checked against the upload when given; set by the server' }),
      size: z.number().int().nonnegative().optional().openapi({ description: 'archive bytes; set by the server' }),
    }).strict(),
  }).strict().openapi({ description: 'a folder archive from POST /v1/uploads (workbay up ./folder); embedded mode only' }),
]).openapi('WorkspaceSource');

export const CreateWorkspace = z.object({
  name: Dns1123.optional(),
  provider: Dns1123,
  source: Source,
  devcontainer: z.union([z.string(), z.record(z.string(), z.unknown())]).optional()
    .openapi({ description: 'devcontainer.json as JSONC text or as an object' }),
  devcontainerPath: z.string().max(512)
    .regex(/^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._\/-]*devcontainer\.json$/, 'a relative path inside the source ending in devcontainer.json, without . or .. segments')
    .optional()
    .openapi({ description: 'where devcontainer.json is in the source (e.g. .devcontainer/python/devcontainer.json); with `devcontainer` content, the folder it stands for (build paths resolve from it). Default: the spec\'s search order' }),
  options: OptionValues.optional()
    .openapi({ description: 'values for options the provider marks userSettable (never global ones); others are 400 option.notUserSettable' }),
  env: z.record(
    z.string().min(1).max(256).regex(/^[^=\u0000]+$/, 'environment variable names are non-empty and contain no "=" or NUL character'),
    NoNul.max(65_536),
  ).refine(fewKeys(LIMITS.entries), `at most ${LIMITS.entries} variables`).optional().openapi({ description: 'values for ${localEnv:VAR}' }),
  inactivityTimeout: z.union([z.number().int().nonnegative(), z.string()]).optional()
    .openapi({ description: 'seconds or a duration such as 30m, within the provider maximum' }),
  retention: z.union([z.number().int().nonnegative(), z.string().max(32), z.null()]).optional()
    .openapi({ description: 'how long it is kept once Stopped before it is deleted: seconds or a duration such as 30d; 0 = delete on stop; "" or null = never; within the provider maximum' }),
  maxLifetime: z.union([z.number().int().nonnegative(), z.string().max(32), z.null()]).optional()
    .openapi({ description: 'how long it may run after a start whatever its activity: seconds or a duration such as 12h; "" or 0 = never; within the provider maximum' }),
}).strict().openapi('CreateWorkspace');

export const UpdateWorkspace = z.object({
  keep: z.boolean().openapi({ description: 'exempt from retention (admins; owners where the provider allows it)' }),
}).strict().openapi('UpdateWorkspace');

const Status = WorkspaceStatusSchema;

/** The response shape is written once, beside `workspaceView`; here it is named and given the request's source schema. */
export const Workspace = WorkspaceViewSchema.extend({ source: Source }).openapi('Workspace');

export const WorkspaceList = z.object({ items: z.array(Workspace), cursor: z.string().optional() }).openapi('WorkspaceList');

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
  status: Status.optional(),
  owner: z.string().optional().openapi({ description: 'admins only: list another owner' }),
});

export const WaitQuery = z.object({
  wait: z.coerce.number().min(0).max(25).optional().openapi({ description: 'seconds to hold the request until the workspace settles (<= 25)' }),
});

export const IdParam = z.object({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'not a workspace id') });
export const NameParam = z.object({ name: Dns1123 });

export const Event = z.object({
  id: z.string(), workspaceId: z.string(), type: z.string(), message: z.string(),
  actor: z.string().optional(), data: z.record(z.string(), z.unknown()).optional(), at: z.string(),
}).openapi('Event');

export const CreateToken = z.object({
  owner: z.string().min(1).max(128).regex(/^[A-Za-z0-9@._-]+$/, 'letters, digits and @ . _ -'),
  role: z.enum(['admin', 'user']).default('user'),
  description: z.string().max(256).optional(),
  expiresIn: z.union([z.number().int().min(1), z.string().min(1).max(32)]).optional()
    .openapi({ description: 'lifetime: seconds, a duration such as 12h, or days such as 90d (at most ten years)' }),
  expiresAt: z.string().max(64).optional().openapi({ description: 'expiry as an ISO 8601 time; give this or expiresIn' }),
}).strict().openapi('CreateToken');

export const Token = z.object({
  token: z.string().openapi({ description: 'shown once; only its hash is stored' }),
  prefix: z.string(), owner: z.string(), role: z.enum(['admin', 'user']), createdAt: z.string(),
  expiresAt: z.string().optional(), description: z.string().optional(),
}).openapi('Token');

export const TokenInfo = z.object({
  prefix: z.string().openapi({ description: 'public start of the token, used to revoke it' }),
  owner: z.string(), role: z.enum(['admin', 'user']), description: z.string().optional(), createdAt: z.string(),
  lastUsedAt: z.string().optional().openapi({ description: 'last successful use, recorded about once a minute' }),
  expiresAt: z.string().optional(), expired: z.boolean(),
  bootstrap: z.boolean().openapi({ description: 'the configured admin token, retired when a new one is configured' }),
}).openapi('TokenInfo');

export const TokenList = z.object({ items: z.array(TokenInfo) }).openapi('TokenList');

export const PrefixParam = z.object({ prefix: z.string().regex(/^[A-Za-z0-9_-]{4,64}$/, 'not a token prefix (see GET /v1/tokens)') });

const problemEntry = { description: 'problem', content: { 'application/problem+json': { schema: Problem } } };

/**
 * Response entries shared by every authenticated route: 401/429 from authentication, 500 for what
 * nobody planned and 503 when the table cannot be reached, which any route may answer.
 */
export function problemResponses<const C extends readonly number[]>(...codes: C): Record<401 | 429 | 500 | 503 | C[number], typeof problemEntry> {
  // Typed by its literal keys (Object.fromEntries forgets them), so a handler answering a status its route does not declare fails to compile.
  return Object.fromEntries([...new Set([401, 429, ...codes, 500, 503])].map((s) => [s, problemEntry])) as Record<401 | 429 | 500 | 503 | C[number], typeof problemEntry>;
}
