import { z } from 'zod';

/**
 * The workspace as the API shows it, written once: `lib/api` names it in the OpenAPI document
 * (as `Workspace`, with the request's `WorkspaceSource` for `source`), `workspaceView` returns its
 * type, and the CLI imports that type. Plain zod so the domain loads nothing of the HTTP layer.
 */

const d = (description: string) => ({ description });

/** The workspace states (DESIGN §2). */
export const WorkspaceStatusSchema = z.enum(['Pending', 'Creating', 'Running', 'Stopping', 'Stopped', 'Starting', 'Deleting', 'Error']);

/** Where the files come from, as shown (the request schema in lib/api adds the grammar checks). */
export const WorkspaceSourceView = z.union([
  z.object({ image: z.string() }),
  z.object({ git: z.object({ url: z.string(), ref: z.string().optional() }) }),
  z.object({ upload: z.object({ id: z.string(), folder: z.string().optional(), sha256: z.string().optional(), size: z.number().int().optional() }) }),
]);

/** One workspace in an API response. */
export const WorkspaceViewSchema = z.object({
  id: z.string(), name: z.string(), owner: z.string(), provider: z.string(),
  driver: z.enum(['docker', 'kubernetes']), source: WorkspaceSourceView,
  devcontainer: z.string().optional(), devcontainerPath: z.string().optional(),
  options: z.record(z.string(), z.string()).meta(d('values of password options are masked')),
  envKeys: z.array(z.string()).meta(d('names of the request\'s env map; values are never shown')),
  desiredState: z.enum(['Running', 'Stopped', 'Deleted']), status: WorkspaceStatusSchema, statusReason: z.string().optional(),
  stopReason: z.enum(['user', 'inactivity', 'error', 'admin', 'maxLifetime']).optional(),
  deleteReason: z.enum(['user', 'admin', 'retention']).optional().meta(d('why a delete was asked for (while Deleting)')),
  retentionSeconds: z.number().int().optional().meta(d('kept this long once Stopped; 0 = deleted on stop; absent = never')),
  retentionSource: z.enum(['provider', 'workspace']).optional(),
  maxLifetimeSeconds: z.number().int().optional().meta(d('stopped this long after a start whatever its activity; absent = never')),
  maxLifetimeSource: z.enum(['provider', 'workspace']).optional(),
  keep: z.boolean().optional().meta(d('exempt from retention')),
  startedAt: z.string().optional(), stoppedAt: z.string().optional(),
  stopAt: z.string().optional().meta(d('when a Running workspace is stopped at its maximum lifetime')),
  deleteAfter: z.string().optional().meta(d('when a Stopped workspace is deleted by retention (absent while kept)')),
  devpodStatus: z.enum(['Running', 'Busy', 'Stopped', 'NotFound']),
  inactivityTimeoutSeconds: z.number().int(), inactivityTimeoutSource: z.enum(['provider', 'workspace']),
  lastActivityAt: z.string().optional(), lastActivitySource: z.enum(['api', 'exec', 'container', 'start']).optional(),
  idleDeadline: z.string().optional(), driverRef: z.record(z.string(), z.string()).optional(),
  driftRestarts: z.number().int().optional().meta(d('times it was found stopped or missing outside workbay and started again (recent window)')),
  idempotencyKey: z.string().optional(), version: z.number().int(), createdAt: z.string(), updatedAt: z.string(),
});

/** A workspace as the API shows it (GET /v1/workspaces/{id}). */
export type WorkspaceView = z.infer<typeof WorkspaceViewSchema>;

