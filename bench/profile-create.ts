/**
 * Profile of one create, end to end, in embedded mode on the test engine: every Engine API request
 * and every DynamoDB command on a timeline relative to the POST, beside the workspace's events.
 * `npm run bench -- profile` (not part of the default run). Prints where the wall time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken } from '../lib/tokens';
import { startEmbedded } from '../lib/embedded';
import { ensureTestDocker, ensureTestImages } from '../test/support/dockerd';
import { median } from './support';

const IMAGE = 'workbay-test/busybox:local';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const config = { image: IMAGE, containerEnv: { GREETING: 'hello' }, postCreateCommand: 'echo created >> /tmp/post-create.log' };

interface Span { what: string; start: number; end: number }

/** Wraps docker-modem's dial so every Engine API request lands on the timeline (bench only). */
function traceEngine(spans: Span[]): void {
  const require = createRequire(import.meta.url);
  const Modem = require('docker-modem');
  const dial = Modem.prototype.dial;
  Modem.prototype.dial = function (this: unknown, options: { method: string; path: string }, callback: (err: unknown, data: unknown) => void) {
    const start = performance.now();
    const what = `engine ${options.method} ${options.path.replace(/\?.*$/, '').replace(/[0-9a-f]{64}/g, '<id>')}`;
    return dial.call(this, options, (err: unknown, data: unknown) => {
      spans.push({ what, start, end: performance.now() });
      callback(err, data);
    });
  };
}

export async function profileCreateBench(): Promise<void> {
  const host = await ensureTestDocker();
  ensureTestImages(host);
  const spans: Span[] = [];
  traceEngine(spans);
  const dir = mkdtempSync(join(tmpdir(), 'workbay-prof-'));
  const admin = generateToken();
  const wb = await startEmbedded({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), adminToken: admin, table: 'workbay', dockerHost: host, helperImage: 'workbay-test/git:local', helperNetwork: 'host', reconcileIntervalSeconds: 5, sweepIntervalSeconds: 3600, idleWarningSeconds: 60 });
  const send = wb.store.db.doc.send.bind(wb.store.db.doc);
  type Cmd = { constructor: { name: string }; input: { Key?: Record<string, unknown>; Item?: Record<string, unknown>; ExpressionAttributeValues?: Record<string, unknown> } };
  (wb.store.db.doc as { send: unknown }).send = async (cmd: Cmd) => {
    const start = performance.now();
    const from = (new Error().stack ?? '').split('\n').slice(2).map((l) => l.match(/\/lib\/(?!store\/)([\w/-]+\.ts:\d+)/)?.[1]).filter(Boolean).slice(0, 2).join(' < ');
    try { return await send(cmd as never); } finally {
      const k = cmd.input.Key ?? cmd.input.Item ?? { pk: cmd.input.ExpressionAttributeValues?.[':p'] ?? cmd.input.ExpressionAttributeValues?.[':pk'] };
      const short = (v: unknown) => String(v ?? '').split('#')[0];
      spans.push({ what: `store ${cmd.constructor.name.replace('Command', '')} ${short(k.pk)}/${short(k.sk)}  (${from})`, start, end: performance.now() });
    }
  };
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${wb.url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };
  await call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
  const totals: number[] = [];
  let last: Span[] = [];
  let lastEvents: { at: string; type: string; message: string }[] = [];
  let t0 = 0;
  for (let i = 0; i <= RUNS; i++) {
    spans.length = 0;
    t0 = performance.now();
    const wall0 = Date.now();
    const r = await call('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: `prof-${i}`, source: { image: IMAGE }, devcontainer: JSON.stringify(config) });
    const total = performance.now() - t0;
    if (r.body.status !== 'Running') throw new Error(`ended ${r.body.status}: ${r.body.statusReason}`);
    last = spans.splice(0).filter((s) => s.start >= t0);
    lastEvents = (await call('GET', `/v1/workspaces/${r.body.id}/events?limit=100`)).body.items.map((e: any) => ({ ...e, rel: Date.parse(e.at) - wall0 }));
    await call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`);
    if (i > 0) totals.push(total);
  }
  await wb.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nprofile: one create (POST ?wait to Running), median of ${RUNS}: ${median(totals).toFixed(1)} ms; timeline of the last run (ms from POST)`);
  for (const s of last.sort((a, b) => a.start - b.start)) console.log(`${(s.start - t0).toFixed(1).padStart(7)} +${(s.end - s.start).toFixed(1).padStart(6)}  ${s.what}`);
  console.log('events (ms from POST, wall clock):');
  for (const e of lastEvents as any[]) console.log(`${String(e.rel).padStart(7)}  ${e.type}  ${e.message}`);
  const engine = last.filter((s) => s.what.startsWith('engine')).reduce((n, s) => n + s.end - s.start, 0);
  const store = last.filter((s) => s.what.startsWith('store')).length;
  console.log(`engine requests: ${last.filter((s) => s.what.startsWith('engine')).length} (${engine.toFixed(1)} ms summed), store commands: ${store}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await profileCreateBench();
