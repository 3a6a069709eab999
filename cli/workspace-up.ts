import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseKeyValues, UsageError, type Parsed } from './args';
import { folderSource, isLocalFolder } from './workspace-folder';
import { discardUpload, uploadFolder } from './folder-upload';
import { ApiError, UnreachableError, type Client } from './http';
import { attachLine, getWorkspace, resolveId, sleep, wsPath, type Connection, type EventView, type WorkspaceView } from './workspace-api';

const UP_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 300;
const EVENT_PAGE = 100;
/** Consecutive failed polls (about a second apart) tolerated while waiting. */
const MAX_POLL_FAILURES = 30;
/** Attempts of the create POST; the Idempotency-Key makes a retry return the first attempt's workspace. */
const CREATE_ATTEMPTS = 3;

const USAGE = 'usage: workbay up <image | git-url[#ref] | ./folder [--git]> --provider P [--name N] [--devcontainer FILE] [--config PATH-IN-SOURCE] [-o KEY=VALUE ...] [--env K=V ...] [--inactivity-timeout 30m] [--retention 7d] [--max-lifetime 12h] [--idempotency-key K] [--no-wait]';

/** The workspace source a command-line argument names: a git repository (with `#ref`) or an image. */
export function parseSource(arg: string): { image: string } | { git: { url: string; ref?: string } } {
  // An image reference never has a scheme or scp-style `user@host:path` (`name@sha256:…` is a digest).
  const scp = /^[\w.-]+@[\w.-]+:/.test(arg) && !/@sha\d+:[0-9a-f]+$/.test(arg);
  const looksGit = /^(git|ssh|https?):\/\//.test(arg) || scp || /\.git(#.*)?$/.test(arg);
  if (!looksGit) return { image: arg };
  const hash = arg.lastIndexOf('#');
  if (hash < 0) return { git: { url: arg } };
  const url = arg.slice(0, hash);
  const ref = arg.slice(hash + 1);
  return { git: ref ? { url, ref } : { url } };
}

function requestBody(args: string[], flags: Parsed): Record<string, unknown> {
  const [source, extra] = args;
  if (!source || extra !== undefined || !flags.provider) throw new UsageError(USAGE);
  let devcontainer: string | undefined;
  if (flags.devcontainer) {
    try {
      devcontainer = readFileSync(flags.devcontainer, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${flags.devcontainer}: ${(err as Error).message}`);
    }
  }
  const options = parseKeyValues(flags.option, 'option');
  const env = parseKeyValues(flags.env, '--env');
  return {
    // A folder is uploaded (upCommand fills the source in once the request is known to be well formed).
    provider: flags.provider, source: isLocalFolder(source) ? (flags.git ? folderSource(source) : undefined) : parseSource(source),
    ...(flags.config ? { devcontainerPath: flags.config } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    ...(devcontainer !== undefined ? { devcontainer } : {}),
    ...(Object.keys(options).length ? { options } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(flags.inactivityTimeout !== undefined ? { inactivityTimeout: flags.inactivityTimeout } : {}),
    ...(flags.retention !== undefined ? { retention: flags.retention } : {}),
    ...(flags.maxLifetime !== undefined ? { maxLifetime: flags.maxLifetime } : {}),
  };
}

/** A lost connection or a gateway error: worth asking again. */
function isTransient(err: unknown): boolean {
  return err instanceof UnreachableError || (err instanceof ApiError && err.status >= 502 && err.status <= 504);
}

/** POSTs the workspace, retrying lost connections and gateway errors under the same Idempotency-Key. */
async function create(client: Client, body: Record<string, unknown>, key: string): Promise<WorkspaceView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.request<WorkspaceView>('POST', '/v1/workspaces', { json: body, headers: { 'idempotency-key': key } });
    } catch (err) {
      if (!isTransient(err) || attempt >= CREATE_ATTEMPTS) throw err;
      await sleep(1000 * attempt);
    }
  }
}

/**
 * Like `devpod up`, `up` of a workspace that exists already (same name) starts it instead of failing:
 * a workspace stopped for inactivity comes back with its files. Only its new events are shown.
 */
async function createOrStart(client: Client, body: Record<string, unknown>, key: string, seen: { after?: string }): Promise<WorkspaceView> {
  const upload = uploadOf(body.source);
  try {
    return await create(client, body, key);
  } catch (err) {
    // Whatever happens now, the fresh upload serves no workspace: the existing one has its own content.
    if (upload) await discardUpload(client, upload.id);
    if (!(err instanceof ApiError) || err.problem.code !== 'workspace.conflict') throw err;
    const id = err.problem.workspaceId ?? (err.problem.name ? await resolveId(client, err.problem.name) : undefined);
    if (!id) throw err;
    const existing = await getWorkspace(client, id);
    const differs = existing ? differences(existing, body) : [];
    if (differs.length) {
      throw new UsageError(`workspace ${existing!.name} exists with a different ${differs.join(' and ')}; delete it first (workbay delete ${existing!.name}) or choose another --name`);
    }
    await drainEvents(client, id, seen, () => {});
    return client.request<WorkspaceView>('POST', wsPath(id, '/start'));
  }
}

/** What `up` of an existing name asks for differently: starting it would silently ignore that. */
function differences(ws: WorkspaceView & { devcontainer?: string; devcontainerPath?: string }, body: Record<string, unknown>): string[] {
  const out: string[] = [];
  const had = uploadOf(ws.source);
  const asked = uploadOf(body.source);
  // An upload has a new id each time: the same content (sha256) is the same source.
  const same = had && asked ? had.sha256 === asked.sha256 : JSON.stringify(ws.source) === JSON.stringify(body.source);
  if (!same) out.push(`source (${sourceLabel(ws.source)}, not ${sourceLabel(body.source)})`);
  if (body.devcontainer !== undefined && ws.devcontainer !== body.devcontainer) out.push('devcontainer.json');
  if ((body.devcontainerPath ?? undefined) !== (ws.devcontainerPath ?? undefined)) out.push(`config path (${ws.devcontainerPath ?? 'default'}, not ${String(body.devcontainerPath ?? 'default')})`);
  return out;
}

/** The upload of an `upload` source. */
function uploadOf(source: unknown): { id: string; sha256?: string; folder?: string } | undefined {
  return source && typeof source === 'object' && 'upload' in source ? (source as { upload: { id: string; sha256?: string; folder?: string } }).upload : undefined;
}

/** A source in a refusal: an upload by its folder and content hash, anything else as JSON. */
function sourceLabel(source: unknown): string {
  const u = uploadOf(source);
  return u ? `folder ${u.folder ?? '?'} with content sha256 ${u.sha256?.slice(0, 12) ?? '?'}` : JSON.stringify(source);
}

/** One event as a progress line: `[step] message`, else `[type] message`. */
export function eventLine(e: EventView): string {
  const step = typeof e.data?.step === 'string' ? e.data.step : e.type.replace(/^workspace\./, '');
  return `[${step}] ${e.message}`;
}

/** Prints the events after `seen.after`, page by page, moving `seen.after` past each one printed. */
async function drainEvents(client: Client, id: string, seen: { after?: string }, print: (line: string) => void): Promise<void> {
  for (;;) {
    const q = new URLSearchParams({ limit: String(EVENT_PAGE), ...(seen.after ? { after: seen.after } : {}) });
    const { items } = await client.request<{ items: EventView[] }>('GET', wsPath(id, `/events?${q}`));
    for (const e of items) {
      print(eventLine(e));
      seen.after = e.id;
    }
    if (items.length < EVENT_PAGE) return;
  }
}

/** The line printed once the workspace runs; without connection info it points at `workbay ssh`. */
async function readyLine(client: Client, ws: WorkspaceView): Promise<string> {
  // The brokered attach needs no engine credentials; the provider's own command is for operators.
  let direct = '';
  try {
    direct = attachLine(await client.request<Connection>('GET', wsPath(ws.id, '/connection')));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  return `workspace ${ws.name} (${ws.id}) is running; attach with: workbay ssh ${ws.name}${direct ? `\n(engine access for operators: ${direct})` : ''}`;
}

/**
 * `workbay up`: creates the workspace, then prints its events live until it is Running (exit 0) or
 * in Error (its reason on stderr, exit 1).
 */
export async function upCommand(client: Client, args: string[], flags: Parsed): Promise<number> {
  const body = requestBody(args, flags);
  const json = flags.output === 'json';
  const print = (line: string) => { if (!json) process.stdout.write(`${line}\n`); };
  if (body.source === undefined) body.source = await uploadFolder(client, args[0]!, print);
  const seen: { after?: string } = {};
  const created = await createOrStart(client, body, flags.idempotencyKey ?? randomUUID(), seen);
  if (flags.noWait) {
    process.stdout.write(json ? `${JSON.stringify(created, null, 2)}\n` : `workspace ${created.name} (${created.id}) is ${created.status}\n`);
    return 0;
  }
  const until = Date.now() + UP_TIMEOUT_MS;
  let ws: WorkspaceView | undefined = created;
  let failures = 0;
  for (;;) {
    try {
      await drainEvents(client, created.id, seen, print);
      ws = await getWorkspace(client, created.id);
      failures = 0;
    } catch (err) {
      // The workspace keeps building while the API restarts; a blip must not end a long wait.
      if (!isTransient(err) || ++failures > MAX_POLL_FAILURES) throw err;
    }
    if (!ws) throw new Error(`workspace ${created.name} was deleted while it was being created`);
    if (ws.status === 'Running' || ws.status === 'Error' || Date.now() >= until) break;
    await sleep(failures ? 1000 : POLL_MS);
  }
  // The last events (the `running` or `error` line) may have landed after the final read.
  await drainEvents(client, created.id, seen, print);
  if (ws.status === 'Error') {
    if (json) process.stdout.write(`${JSON.stringify(ws, null, 2)}\n`);
    process.stderr.write(`error: workspace ${ws.name} failed: ${ws.statusReason ?? 'no reason given'}\n`);
    return 1;
  }
  if (ws.status !== 'Running') {
    process.stderr.write(`error: workspace ${ws.name} is still ${ws.status} after ${UP_TIMEOUT_MS / 60_000} minutes; follow it with \`workbay status ${ws.name}\`\n`);
    return 1;
  }
  process.stdout.write(json ? `${JSON.stringify(ws, null, 2)}\n` : `${await readyLine(client, ws)}\n`);
  return 0;
}
