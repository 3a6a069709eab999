/**
 * Cold start per Lambda function: bundle sizes (initial chunk and total) and the wall time from
 * spawning a fresh `node` to the first handled event (import the bundle, invoke once with a
 * realistic event), median of 5 (round-robin), beside a bare hono + hono/aws-lambda handler built the same way
 * and, as the floor of an authenticated read, a bare handler doing the api's two table reads with the store
 * (hono, the DynamoDB client and its first requests, no framework of ours), and that handler again
 * behind one @hono/zod-openapi route (the validation and documentation library every route uses).
 * Events: api GET /v1/workspaces/{id} with a token (two table reads); sweeper a scheduled event
 * (sweep + re-drive with nothing due); reconciler a stream INSERT of a workspace stopped before it
 * was created (loads the Docker driver chunk, one step, no container).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ulid } from 'ulid';
import type { Metafile } from 'esbuild';
import { bundle, bundleStats, ROOT } from '../infra/build';
import { ProviderService } from '../lib/providers';
import type { WorkspaceRecord } from '../lib/store';
import { ensureTestDocker } from '../test/support/dockerd';
import { httpEvent, scheduledEvent, streamEvent, streamRecord } from '../test/bundle/events';
import { startHarness, type LambdaHarness } from '../test/bundle/harness';
import { startLambda } from '../test/bundle/lambda-process';
import { median, ms, printTable } from './support';

const RUNS = 5;
const MB = 1_000_000;

/** The floor every ratio divides by: a bare hono + hono/aws-lambda handler. */
const BARE = `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
export const handler = handle(app);
`;

/** The floor of the api's first event: the same two reads (token, workspace) through lib/store, nothing else. */
const READS = (root: string): string => `import { Hono } from 'hono';
import { handle } from 'hono/aws-lambda';
import { LOCAL_CREDENTIALS, openStore } from ${JSON.stringify(join(root, 'lib/store'))};
import { hashToken } from ${JSON.stringify(join(root, 'lib/tokens'))};
const store = openStore({ tableName: process.env.WORKBAY_TABLE, region: process.env.AWS_REGION, endpoint: process.env.WORKBAY_DYNAMODB_ENDPOINT, credentials: LOCAL_CREDENTIALS });
const app = new Hono();
app.get('/v1/workspaces/:id', async (c) => {
  const token = await store.tokens.get(hashToken((c.req.header('authorization') ?? '').replace(/^Bearer\\s+/i, '')));
  if (!token) return c.json({ title: 'invalid token' }, 401);
  const ws = await store.workspaces.get(c.req.param('id'));
  return ws ? c.json(ws) : c.json({ title: 'not found' }, 404);
});
export const handler = handle(app);
`;

/**
 * The floor of the library the API is built on: the same reads behind one @hono/zod-openapi route
 * whose path parameter zod validates (importing zod and zod-to-openapi, as every route of ours does).
 */
const READS_OPENAPI = (root: string): string => READS(root)
  .replace("import { Hono } from 'hono';", "import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';")
  .replace('const app = new Hono();', 'const app = new OpenAPIHono();')
  .replace("app.get('/v1/workspaces/:id', async (c) => {", `app.openapi(createRoute({ method: 'get', path: '/v1/workspaces/{id}', request: { params: z.object({ id: z.string().min(1).max(64) }) },
  responses: { 200: { description: 'workspace', content: { 'application/json': { schema: z.object({ id: z.string() }).passthrough() } } } } }), async (c) => {`)
  .replace("c.req.param('id')", "c.req.valid('param').id")
  .replace("return ws ? c.json(ws) : c.json({ title: 'not found' }, 404);", "return ws ? c.json(ws, 200) : c.json({ title: 'not found' } as never, 404);");

/** One floor handler, bundled: its name in the tables, its folder, its metafile and entry key. */
export interface Floor { name: string; dir: string; meta: Metafile; entry: string }

/**
 * Writes the three floors (bare hono; + the api's two reads; + one zod-openapi route) under `outDir`
 * and bundles each as `npm run build` does (`minify: false` for the profile, in folders of their own).
 */
export async function bundleFloors(outDir: string, o: { minify?: boolean } = {}): Promise<[Floor, Floor, Floor]> {
  const sources = [['bare hono', 'bare-hono', BARE], ['bare + reads', 'bare-reads', READS(ROOT)], ['reads + zod-openapi', 'bare-reads-openapi', READS_OPENAPI(ROOT)]] as const;
  const out: Floor[] = [];
  for (const [name, file, text] of sources) {
    const entryFile = join(outDir, `${file}.ts`);
    writeFileSync(entryFile, text);
    const b = await bundle(entryFile, join(outDir, o.minify === false ? `${file}-unminified` : file), o);
    out.push({ name, dir: b.dir, meta: b.metafile, entry: Object.values(b.metafile.outputs).find((x) => x.entryPoint?.endsWith(`${file}.ts`))!.entryPoint! });
  }
  return out as [Floor, Floor, Floor];
}

/** A workspace record the benchmark's events name. */
export function workspace(status: WorkspaceRecord['status'], desiredState: WorkspaceRecord['desiredState']): WorkspaceRecord {
  const now = new Date().toISOString();
  return {
    id: ulid(), name: `bench-${ulid().toLowerCase().slice(-8)}`, owner: 'admin', provider: 'local-docker', driver: 'docker',
    source: { image: 'workbay-test/busybox:local' }, options: {}, env: {}, desiredState, status, inactivityTimeoutSeconds: 0,
    inactivityTimeoutSource: 'provider', version: 1, createdAt: now, updatedAt: now,
  };
}

/** Spawns a fresh process on `dir`, invokes one event, returns wall ms (spawn to reply) and in-process ms. */
async function once(dir: string, env: Record<string, string>, event: unknown): Promise<{ wall: number; inProcess: number }> {
  const t = performance.now();
  const p = startLambda(dir, env);
  const r = await p.invoke(event);
  const wall = performance.now() - t;
  await p.close();
  if (r.error) throw new Error(`${dir}: ${r.error}`);
  return { wall, inProcess: r.at };
}

interface Row { name: string; initial: number; total: number; wall: number; inProcess: number }

/** One function under measurement: where its bundle is and how to make its next event. */
interface Subject { name: string; dir: string; meta: Parameters<typeof bundleStats>[0]; entry: string; env: Record<string, string>; event: () => Promise<unknown> }

/**
 * Runs the subjects round-robin (a warm-up round, then RUNS measured rounds), so that load from
 * other processes on the machine falls on all of them alike and the ratios stay comparable.
 */
async function measure(subjects: Subject[]): Promise<Row[]> {
  const runs = subjects.map(() => [] as { wall: number; inProcess: number }[]);
  for (let round = 0; round <= RUNS; round++) {
    for (const [i, s] of subjects.entries()) {
      const r = await once(s.dir, s.env, await s.event());
      if (round > 0) runs[i]!.push(r);
    }
  }
  return subjects.map((s, i) => {
    const stats = bundleStats(s.meta, s.entry);
    return { name: s.name, initial: stats.initialBytes, total: stats.totalBytes, wall: median(runs[i]!.map((r) => r.wall)), inProcess: median(runs[i]!.map((r) => r.inProcess)) };
  });
}

export async function coldStartBench(): Promise<Row[]> {
  const host = await ensureTestDocker();
  let h: LambdaHarness | undefined;
  try {
    h = await startHarness({ env: { WORKBAY_DEFAULT_DOCKER_HOST: host } });
    const { store, env } = h;
    const [bare, reads, withLib] = await bundleFloors(h.outDir);
    await new ProviderService(store).add('name: local-docker\n');
    const shown = workspace('Running', 'Running');
    await store.workspaces.create(shown);
    const fn = (f: string) => ({ name: f, dir: join(h!.outDir, f), meta: h!.built[f]!.metafile, entry: `functions/${f}.ts`, env });
    const apiEvent = async () => httpEvent('GET', `/v1/workspaces/${shown.id}`, { token: h!.adminToken });
    const rows = await measure([
      { ...bare, env: {}, event: async () => httpEvent('GET', '/healthz') },
      { ...fn('api'), event: apiEvent },
      { ...reads, env, event: apiEvent },
      { ...withLib, env, event: apiEvent },
      { ...fn('sweeper'), event: async () => scheduledEvent() },
      {
        ...fn('reconciler'),
        event: async () => {
          const ws = workspace('Pending', 'Stopped');
          await store.workspaces.create(ws);
          return streamEvent(streamRecord('INSERT', await h!.rawWorkspace(ws.id)));
        },
      },
    ]);
    const base = rows[0]!;
    const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(`\ncold start: fresh node process -> first handled event (median of ${RUNS}), bundles minified`);
    printTable(['function', 'initial chunk', 'total JS', 'first event (wall)', 'in-process', 'vs bare'],
      rows.map((r) => [r.name, kb(r.initial), kb(r.total), ms(r.wall), ms(r.inProcess), (r.wall / base.wall).toFixed(2)]));
    const api = rows[1]!;
    console.log(`api initial chunk: ${(api.initial / MB).toFixed(2)} MB (target < 1 MB: ${api.initial < MB ? 'met' : 'MISSED'})`);
    console.log(`api / bare time to first event: ${(api.wall / base.wall).toFixed(2)} (target <= 2.00: ${api.wall <= 2 * base.wall ? 'met' : 'MISSED'})`);
    const floor = rows[2]!;
    const lib = rows[3]!;
    console.log(`bare + reads / bare: ${(floor.wall / base.wall).toFixed(2)} (the DynamoDB client and two reads alone); api / bare + reads: ${(api.wall / floor.wall).toFixed(2)}`);
    console.log(`reads + zod-openapi / bare: ${(lib.wall / base.wall).toFixed(2)} (the same reads behind one validated @hono/zod-openapi route); api / reads + zod-openapi: ${(api.wall / lib.wall).toFixed(2)}`);
    return rows;
  } finally {
    await h?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await coldStartBench();
