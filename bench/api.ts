/**
 * API throughput and latency (DESIGN §12): requests/s and p50/p99 of `GET /v1/workspaces/{id}` and
 * `POST /v1/workspaces/{id}/exec` under 20 concurrent clients (autocannon, loopback), against the
 * floor for an authenticated read: a bare hono handler on the same node-server and the same table
 * doing the same DynamoDB reads (token, workspace) and, for exec, the same engine exec through
 * dockerode. Both servers live in this process beside the same dynalite, measured alternately.
 * Then prints the embedded server's RSS with 1,000 workspace records and 32 running: `npm start`'s
 * process alone on the same data dir (server-rss.ts), since this one also ran the load and the floor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { ulid } from 'ulid';
import { generateToken, hashToken } from '../lib/api';
import { startEmbedded } from '../lib/embedded';
import type { WorkspaceRecord } from '../lib/store';
import { ensureTestDocker, ensureTestImages } from '../test/support/dockerd';
import { dockerAt } from './floor';
import { embeddedServerRss } from './server-rss';
import { ms, printTable } from './support';

const IMAGE = 'workbay-test/busybox:local';
const CONNECTIONS = 20;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_API_ROUNDS ?? 3);
const RECORDS = Number(process.env.BENCH_API_RECORDS ?? 1000);
const RUNNING = Number(process.env.BENCH_API_RUNNING ?? 32);

interface Figures { rps: number; p50: number; p99: number; errors: number }

function load(url: string, token: string, method: 'GET' | 'POST', body?: string, seconds = SECONDS): Promise<Figures> {
  return new Promise((resolve, reject) => {
    autocannon({
      url, method, connections: CONNECTIONS, duration: seconds, body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    }, (err, r) => {
      if (err) return reject(err);
      resolve({ rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx });
    });
  });
}

export async function apiBench(): Promise<Record<string, { workbay: Figures; floor: Figures; ratio: number }>> {
  const host = await ensureTestDocker();
  ensureTestImages(host);
  const docker = dockerAt(host);
  const dir = mkdtempSync(join(tmpdir(), 'workbay-api-bench-'));
  const admin = generateToken();
  const wb = await startEmbedded({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), adminToken: admin, table: 'workbay', dockerHost: host, helperImage: 'workbay-test/git:local', helperNetwork: 'host', idleWarningSeconds: 60,
    // The periodic work (re-drive, sweep, drift resync of the 32, orphans) is not what is measured: off while the load runs.
    reconcileIntervalSeconds: 3600, sweepIntervalSeconds: 3600, resyncIntervalSeconds: 3600, collectIntervalSeconds: 3600 });
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${wb.url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };
  await call('POST', '/v1/providers', { yaml: 'name: local-docker\nworkbay:\n  policy:\n    quotas: { workspaces: 2000, running: 1000 }\n' });
  // The fleet the memory figure is taken with: RUNNING real containers, the rest plain Stopped records.
  const running: WorkspaceRecord[] = [];
  for (let i = 0; i < RUNNING; i += 8) {
    const made = await Promise.all(Array.from({ length: Math.min(8, RUNNING - i) }, (_, k) => call('POST', '/v1/workspaces?wait=25', {
      provider: 'local-docker', name: `api-${i + k}`, source: { image: IMAGE }, devcontainer: JSON.stringify({ image: IMAGE, runArgs: ['--network=none'] }),
    })));
    for (const r of made) {
      if (r.body?.status !== 'Running') throw new Error(`api bench: a workspace ended ${r.body?.status}: ${r.body?.statusReason ?? r.body?.detail}`);
      running.push(r.body);
    }
  }
  const now = new Date().toISOString();
  for (let i = running.length; i < RECORDS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, RECORDS - i) }, () => wb.store.workspaces.create({
      id: ulid(), name: `rec-${ulid().toLowerCase()}`, owner: 'admin', provider: 'local-docker', driver: 'docker', source: { image: IMAGE }, options: {}, env: {},
      desiredState: 'Stopped', status: 'Stopped', inactivityTimeoutSeconds: 0, inactivityTimeoutSource: 'provider', version: 1, createdAt: now, updatedAt: now,
    })));
  }
  const target = running[0]!;
  const containerId = (await docker.listContainers({ filters: { label: [`workbay.dev/workspace-id=${target.id}`] } }))[0]!.Id;

  // The floor: the same two reads an authenticated GET makes, and for exec the same engine exec.
  const bare = new Hono();
  // Requests autocannon gave up on at a round's end still run here: the table must outlive them.
  let inFlight = 0;
  bare.use(async (_c, next) => { inFlight++; try { await next(); } finally { inFlight--; } });
  const reads = async (authorization: string | undefined, id: string) => {
    const tok = await wb.store.tokens.get(hashToken((authorization ?? '').replace(/^Bearer\s+/i, '')));
    if (!tok) return undefined;
    return wb.store.workspaces.get(id);
  };
  bare.get('/v1/workspaces/:id', async (c) => {
    const ws = await reads(c.req.header('authorization'), c.req.param('id'));
    return ws ? c.json(ws) : c.json({ title: 'not found' }, 404);
  });
  bare.post('/v1/workspaces/:id/exec', async (c) => {
    const ws = await reads(c.req.header('authorization'), c.req.param('id'));
    if (!ws) return c.json({ title: 'not found' }, 404);
    const { command } = await c.req.json<{ command: string }>();
    const exec = await docker.getContainer(containerId).exec({ Cmd: ['/bin/sh', '-c', command], AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    await new Promise<void>((r) => { stream.on('data', (d: Buffer) => chunks.push(d)); stream.on('end', r); stream.on('close', r); });
    const info = await exec.inspect();
    return c.json({ exitCode: info.ExitCode, stdout: Buffer.concat(chunks).toString('utf8') });
  });
  const server = serve({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((r) => (server.listening ? r() : server.once('listening', () => r())));
  const bareUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const exec = JSON.stringify({ command: 'echo hi' });
  const subjects = [
    { name: 'GET /v1/workspaces/{id}', method: 'GET' as const, path: `/v1/workspaces/${target.id}`, body: undefined },
    { name: 'POST /v1/workspaces/{id}/exec', method: 'POST' as const, path: `/v1/workspaces/${target.id}/exec`, body: exec },
  ];
  const out: Record<string, { workbay: Figures; floor: Figures; ratio: number }> = {};
  for (const s of subjects) {
    await load(`${wb.url}${s.path}`, admin, s.method, s.body, 1); // warm-up, not counted
    await load(`${bareUrl}${s.path}`, admin, s.method, s.body, 1);
    // Alternating rounds, so load from elsewhere on the machine falls on both alike; the median round counts.
    const runs = { workbay: [] as Figures[], floor: [] as Figures[] };
    for (let round = 0; round < ROUNDS; round++) {
      runs.workbay.push(await load(`${wb.url}${s.path}`, admin, s.method, s.body));
      runs.floor.push(await load(`${bareUrl}${s.path}`, admin, s.method, s.body));
    }
    const mid = (xs: Figures[]) => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;
    const workbay = mid(runs.workbay);
    const floor = mid(runs.floor);
    out[s.name] = { workbay, floor, ratio: workbay.rps / floor.rps };
  }
  server.close();
  for (let i = 0; i < 300 && inFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
  await wb.close();
  const rss = await embeddedServerRss({ dataDir: join(dir, 'data'), adminToken: admin, dockerHost: host, paths: ['/v1/workspaces?limit=100', `/v1/workspaces/${target.id}`] }, async (url) => {
    await Promise.all(running.map((w) => fetch(`${url}/v1/workspaces/${w.id}?wait=25`, { method: 'DELETE', headers: { authorization: `Bearer ${admin}` } })));
  });
  rmSync(dir, { recursive: true, force: true });

  console.log(`\napi: ${CONNECTIONS} concurrent clients (autocannon, loopback), median of ${ROUNDS} alternating rounds of ${SECONDS} s, workbay embedded vs a bare hono handler doing the same reads (and exec)`);
  printTable(['route', 'server', 'req/s', 'p50', 'p99', 'errors'], Object.entries(out).flatMap(([name, r]) => [
    [name, 'workbay', r.workbay.rps.toFixed(0), ms(r.workbay.p50), ms(r.workbay.p99), r.workbay.errors],
    [name, 'bare hono (floor)', r.floor.rps.toFixed(0), ms(r.floor.p50), ms(r.floor.p99), r.floor.errors],
  ]));
  for (const [name, r] of Object.entries(out)) console.log(`${name}: workbay/floor throughput ${r.ratio.toFixed(2)}${name.startsWith('GET') ? ' (target >= 0.90)' : ''}`);
  console.log(`embedded process RSS with ${RECORDS} workspace records and ${RUNNING} running: ${(rss / 2 ** 20).toFixed(0)} MB (target < 250 MB: ${rss < 250 * 2 ** 20 ? 'met' : 'MISSED'}; npm start's process alone, after 5 s of its ordinary life)`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await apiBench();
