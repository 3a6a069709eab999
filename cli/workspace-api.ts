import type { z } from 'zod';
import type { Event, Workspace } from '../lib/api/schemas';
import type { Connection as ConnectionSchema, ExecResult as ExecResultSchema } from '../lib/api/routes/workspace-ops';
import { ApiError, type Client } from './http';

/**
 * A workspace as GET /v1/workspaces/{id} shows it: the type the API's own zod schema describes
 * (imported for its type only, so the CLI loads nothing of the server), one shape for both.
 */
export type WorkspaceView = z.infer<typeof Workspace>;

/** GET /v1/workspaces/{id}/connection. */
export type Connection = z.infer<typeof ConnectionSchema>;

/** One audit event. */
export type EventView = z.infer<typeof Event>;

/** POST /v1/workspaces/{id}/exec. */
export type ExecResult = z.infer<typeof ExecResultSchema>;

/** The API's id grammar (a ULID); names are lowercase DNS labels, so the two never collide. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Path of a workspace, or of one of its sub-resources. */
export const wsPath = (id: string, sub = '') => `/v1/workspaces/${encodeURIComponent(id)}${sub}`;

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Every workspace of the caller, following the cursor through all pages. */
export async function listAll(client: Client, query: { status?: string; allPages?: boolean } = {}): Promise<{ items: WorkspaceView[]; more: boolean }> {
  const items: WorkspaceView[] = [];
  let cursor: string | undefined;
  do {
    const q = new URLSearchParams({ limit: '100' });
    if (query.status) q.set('status', query.status);
    if (cursor) q.set('cursor', cursor);
    const page = await client.request<{ items: WorkspaceView[]; cursor?: string }>('GET', `/v1/workspaces?${q}`);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && query.allPages !== false);
  return { items, more: Boolean(cursor) };
}

/** Turns `<ws>` (an id or a name) into a workspace id; an unknown name is an error. */
export async function resolveId(client: Client, ref: string): Promise<string> {
  if (ULID.test(ref)) return ref;
  const { items } = await listAll(client);
  const hit = items.find((w) => w.name === ref);
  if (!hit) throw new Error(`no workspace named "${ref}"; \`workbay list\` shows yours`);
  return hit.id;
}

/** GET of one workspace; undefined once it is gone. */
export async function getWorkspace(client: Client, id: string): Promise<WorkspaceView | undefined> {
  try {
    return await client.request<WorkspaceView>('GET', wsPath(id));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** Quotes one word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The attach command as a line to paste into a shell, its environment as `KEY=VALUE ` prefixes. */
export function attachLine(c: Connection): string {
  const env = Object.entries(c.env).map(([k, v]) => `${k}=${shellQuote(v)} `).join('');
  return `${env}${c.attach.map(shellQuote).join(' ')}`;
}
