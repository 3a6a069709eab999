import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { ApiDeps, ApiEnv } from '../context';
import { requireAdmin } from '../auth';
import { problemResponses } from '../schemas';

const SweepResult = z.object({
  checked: z.number().int(), stopped: z.number().int(), extended: z.number().int(), failed: z.number().int(),
  warned: z.number().int(), read: z.number().int().openapi({ description: 'index items read by this sweep' }),
  deleted: z.number().int().openapi({ description: 'Stopped workspaces past their retention whose delete was recorded' }),
  failures: z.array(z.object({ workspaceId: z.string(), error: z.string() })),
}).openapi('SweepResult');

const sweep = createRoute({
  method: 'post', path: '/v1/sweeps', tags: ['inactivity'], security: [{ bearer: [] }],
  summary: 'Run one inactivity sweep now (admin)',
  responses: { 200: { description: 'what the sweep did', content: { 'application/json': { schema: SweepResult } } }, ...problemResponses(403) },
});

/** `POST /v1/sweeps`: the same sweep the schedule runs. */
export function sweepRoutes(app: OpenAPIHono<ApiEnv>, deps: ApiDeps): void {
  app.openapi(sweep, async (c) => {
    requireAdmin(c.get('principal'), 'run sweeps');
    return c.json(await deps.sweep(), 200);
  });
}
