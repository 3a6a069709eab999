import { positiveInt, UsageError, type Parsed } from './args';
import { seconds, table } from './format';
import { ApiError, type Client } from './http';
import { getWorkspace, listAll, resolveId, sleep, wsPath, type WorkspaceView } from './workspace-api';

const STATUSES = ['Pending', 'Creating', 'Running', 'Stopping', 'Stopped', 'Starting', 'Deleting', 'Error'];
/** How long stop, start and delete wait for the workspace to settle. */
const SETTLE_MS = 10 * 60_000;
const POLL_MS = 500;

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const when = (iso: string | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');

function need(ws: string | undefined, usage: string): string {
  if (!ws) throw new UsageError(`usage: ${usage}`);
  return ws;
}

/** A source as one line: the image, `url#ref`, or the uploaded folder with its size. */
function sourceText(s: WorkspaceView['source']): string {
  if ('image' in s) return s.image;
  if ('upload' in s) return `${s.upload.folder ?? 'a folder'} (uploaded${s.upload.size !== undefined ? `, ${s.upload.size} bytes` : ''}, sha256 ${s.upload.sha256?.slice(0, 12) ?? '?'})`;
  return `${s.git.url}${s.git.ref ? `#${s.git.ref}` : ''}`;
}

/** Human details of one workspace. */
export function describeWorkspace(w: WorkspaceView): string {
  const rows: [string, string | undefined][] = [
    ['name', w.name], ['id', w.id], ['status', w.status], ['reason', w.statusReason], ['stop reason', w.stopReason],
    ['desired', w.desiredState], ['provider', w.provider], ['driver', w.driver],
    ['source', sourceText(w.source)],
    ['inactivity', `${seconds(w.inactivityTimeoutSeconds)} (${w.inactivityTimeoutSource})`],
    ['last activity', w.lastActivityAt ? `${when(w.lastActivityAt)} (${w.lastActivitySource ?? 'unknown'})` : '-'],
    ['idle deadline', when(w.idleDeadline)],
    ['max lifetime', w.maxLifetimeSeconds ? `${seconds(w.maxLifetimeSeconds)}${w.stopAt ? `, stops at ${when(w.stopAt)}` : ''}` : undefined],
    ['retention', w.retentionSeconds === undefined ? undefined
      : `${w.retentionSeconds === 0 ? 'deleted on stop' : seconds(w.retentionSeconds)}${w.keep ? ' (kept: exempt)' : w.deleteAfter ? `, deleted after ${when(w.deleteAfter)}` : ''}`],
    ['keep', w.keep && w.retentionSeconds === undefined ? 'yes' : undefined],
    ['delete reason', w.deleteReason],
  ];
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${`${k}:`.padEnd(15)}${v}`).join('\n');
}

/** The scheduled cleanup next due: a lifetime stop, a retention delete, or kept. */
function cleanup(w: WorkspaceView): string {
  if (w.stopAt) return `stop ${when(w.stopAt)}`;
  if (w.deleteAfter) return `delete ${when(w.deleteAfter)}`;
  return w.keep ? 'kept' : '-';
}

/** `workbay list [--status S] [--all-pages]` */
export async function listCommand(client: Client, flags: Parsed): Promise<number> {
  if (flags.status && !STATUSES.includes(flags.status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const { items, more } = await listAll(client, { status: flags.status, allPages: flags.allPages });
  if (flags.output === 'json') {
    out(json(items));
    return 0;
  }
  if (!items.length) out(flags.status ? `no ${flags.status} workspaces` : 'no workspaces');
  else out(table(['NAME', 'ID', 'STATUS', 'PROVIDER', 'IDLE-DEADLINE', 'CLEANUP'], items.map((w) => [w.name, w.id, w.status, w.provider, when(w.idleDeadline), cleanup(w)])));
  if (more) out('(more workspaces: pass --all-pages)');
  return 0;
}

/** `workbay status <ws>` */
export async function statusCommand(client: Client, args: string[], flags: Parsed): Promise<number> {
  const id = await resolveId(client, need(args[0], 'workbay status <workspace>'));
  const w = await client.request<WorkspaceView>('GET', wsPath(id));
  out(flags.output === 'json' ? json(w) : describeWorkspace(w));
  return 0;
}

/** `workbay keep|unkeep <ws>`: exempts a workspace from retention, or ends the exemption. */
export async function keepCommand(client: Client, keep: boolean, args: string[], flags: Parsed): Promise<number> {
  const id = await resolveId(client, need(args[0], `workbay ${keep ? 'keep' : 'unkeep'} <workspace>`));
  const w = await client.request<WorkspaceView>('PATCH', wsPath(id), { json: { keep } });
  out(flags.output === 'json' ? json(w) : `workspace ${w.name} ${keep ? 'is kept: retention does not delete it' : `is no longer kept${w.deleteAfter ? `; deleted after ${when(w.deleteAfter)}` : ''}`}`);
  return 0;
}

/** `workbay logs <ws> [--tail N]` */
export async function logsCommand(client: Client, args: string[], flags: Parsed): Promise<number> {
  const ref = need(args[0], 'workbay logs <workspace> [--tail N]');
  const tail = positiveInt(flags.tail, '--tail');
  const id = await resolveId(client, ref);
  const text = await client.request<string | undefined>('GET', wsPath(id, `/logs${tail ? `?tail=${tail}` : ''}`));
  if (flags.output === 'json') out(json({ logs: text ?? '' }));
  else if (text) process.stdout.write(text);
  return 0;
}

/**
 * `workbay stop|start|delete <ws>`: asks with `?wait=25`, then keeps reading the workspace until it
 * settles. Re-reading rather than re-asking, because asking again for a workspace in Error retries it.
 */
export async function transitionCommand(client: Client, verb: 'stop' | 'start' | 'delete', args: string[], flags: Parsed): Promise<number> {
  const id = await resolveId(client, need(args[0], `workbay ${verb} <workspace>`));
  const target = verb === 'stop' ? 'Stopped' : verb === 'start' ? 'Running' : 'Deleted';
  let ws: WorkspaceView | undefined;
  try {
    const r = verb === 'delete'
      ? await client.send<WorkspaceView | undefined>('DELETE', wsPath(id, '?wait=25'))
      : await client.send<WorkspaceView>('POST', wsPath(id, `/${verb}?wait=25`));
    ws = r.status === 204 ? undefined : r.data;
  } catch (err) {
    // A delete of something already gone has done its job.
    if (!(verb === 'delete' && err instanceof ApiError && err.status === 404)) throw err;
  }
  const until = Date.now() + SETTLE_MS;
  while (ws && ws.status !== target && ws.status !== 'Error' && Date.now() < until) {
    await sleep(POLL_MS);
    ws = await getWorkspace(client, id);
  }
  if (!ws) {
    if (verb !== 'delete') throw new Error(`workspace ${args[0]} vanished while it was asked to ${verb}`);
    out(flags.output === 'json' ? json({ deleted: id }) : `workspace ${args[0]} deleted`);
    return 0;
  }
  if (flags.output === 'json') out(json(ws));
  if (ws.status === 'Error') {
    process.stderr.write(`error: workspace ${ws.name} failed to ${verb}: ${ws.statusReason ?? 'no reason given'}\n`);
    return 1;
  }
  if (ws.status !== target) {
    process.stderr.write(`error: workspace ${ws.name} is still ${ws.status} after ${SETTLE_MS / 60_000} minutes; check \`workbay status ${ws.name}\`\n`);
    return 1;
  }
  if (flags.output !== 'json') out(`workspace ${ws.name} is ${ws.status}`);
  return 0;
}
