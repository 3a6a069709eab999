import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { gitUrlProblem } from '../../config/git-url';
import { LISTING_TIMEOUT_MS, MAX_LISTED_CONFIGS, type Driver } from '../../drivers';
import { WorkbayError } from '../../errors';
import { gitSourceViolation, policyDenied } from '../../policy';
import type { ApiDeps, ApiEnv } from '../context';
import { NameParam, problemResponses } from '../schemas';

const ListQuery = z.object({
  git: z.string().superRefine((v, ctx) => {
    const problem = gitUrlProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `the git URL ${problem}` });
  }).openapi({ description: 'the repository: https://, ssh://, git:// or git@host:path' }),
  ref: z.string().min(1).max(255).regex(/^[^\s\u0000-\u001f\u007f]+$/, 'a branch or tag name without whitespace or control characters').optional()
    .openapi({ description: 'branch or tag (default: the remote HEAD)' }),
});

const ConfigListing = z.object({
  items: z.array(z.object({
    path: z.string().openapi({ description: 'usable as devcontainerPath when creating a workspace' }),
    name: z.string().optional().openapi({ description: 'the config\'s "name"' }),
  })),
  default: z.string().optional().openapi({ description: 'what a workspace without devcontainerPath runs; absent when a choice is needed' }),
  truncated: z.boolean().optional().openapi({ description: `more than ${MAX_LISTED_CONFIGS} configs were found` }),
}).openapi('ConfigListing');

const list = createRoute({
  method: 'get', path: '/v1/providers/{name}/devcontainers', tags: ['providers'], security: [{ bearer: [] }],
  summary: 'List the dev container configurations of a git repository',
  description: 'The provider\'s engine makes a shallow clone in a throwaway helper (removed afterwards) and lists '
    + '`.devcontainer/devcontainer.json`, `.devcontainer.json` and `.devcontainer/<name>/devcontainer.json`, in that order, '
    + `with each config's name; at most ${MAX_LISTED_CONFIGS} configs, within ${LISTING_TIMEOUT_MS / 1000} s. `
    + 'A repository outside the provider\'s `policy.gitSources` is refused (403 `policy.denied`) before any engine is asked.',
  request: { params: NameParam, query: ListQuery },
  responses: { 200: { description: 'the configurations', content: { 'application/json': { schema: ConfigListing } } }, ...problemResponses(400, 403, 404, 422, 502) },
});

/** Builds a driver for a provider as such (no workspace, no workspace options). */
export type ProviderDriver = (provider: string) => Promise<Driver>;

/**
 * GET /v1/providers/{name}/devcontainers: a portal or the CLI offers the choice of config
 * (`devcontainerPath`). Any signed-in user may ask, as any may create workspaces on a provider, and
 * for the same repositories: the provider's `policy.gitSources` is applied first (403 `policy.denied`).
 */
export function configRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps & { providerDriver?: ProviderDriver }): void {
  app.openapi(list, async (c) => {
    const { name } = c.req.valid('param');
    const { git, ref } = c.req.valid('query');
    const { definition } = await deps.providers.resolve(name, {}, { WORKSPACE_ID: '', WORKSPACE_UID: '' });
    // Before any engine is asked: the clone is the engine reaching out, as a workspace's would.
    const refused = gitSourceViolation(definition.policy, git, 'query.git');
    if (refused) throw policyDenied([refused], 'listing this repository');
    if (!deps.providerDriver) throw new WorkbayError('request.invalid', 'this deployment cannot reach provider engines to list configurations');
    const driver = await deps.providerDriver(name);
    try {
      if (!driver.listConfigs) {
        throw new WorkbayError('request.invalid', `the ${driver.kind} driver of provider "${name}" cannot list a repository's configurations; pass devcontainerPath when creating the workspace`, {
          errors: [{ field: 'path.name', message: `${driver.kind} providers do not list configurations` }],
        });
      }
      const listing = await driver.listConfigs({ url: git, ...(ref ? { ref } : {}) });
      return c.json(listing, 200);
    } finally {
      await driver.close?.();
    }
  });
}
