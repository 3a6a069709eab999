/**
 * Where a cold start's time goes: `npm run bench -- cold-profile` (not part of the default run). Each
 * subject of the cold-start benchmark (bare hono, bare + reads, reads + zod-openapi, the api) is
 * bundled as `npm run build` does but unminified, started fresh under `node --cpu-prof` and invoked
 * once with the api's first event; self time is summed per layer (Node's module loading and compile,
 * its other internals, GC, and each bundled package by the source line its samples fall on, through
 * the bundle's source map), mean of RUNS starts. Unminified bundles start a little slower than
 * the shipped ones; the table is for proportions, the cold-start benchmark for the figures.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundle, ROOT } from '../infra/build';
import { ProviderService } from '../lib/providers';
import { ensureTestDocker } from '../test/support/dockerd';
import { httpEvent } from '../test/bundle/events';
import { startHarness, type LambdaHarness } from '../test/bundle/harness';
import { bundleFloors, workspace } from './cold-start';
import { printTable } from './support';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const run = promisify(execFile);

/** The layer a profile node's self time belongs to; `line` is 1-based, from the node's position ticks. */
type Layer = (url: string, line?: number) => string;

interface CpuProfile {
  nodes: { id: number; callFrame: { url: string; functionName: string }; positionTicks?: { line: number; ticks: number }[] }[];
  samples: number[];
  timeDeltas: number[];
}

function layerOf(maps: Map<string, SourceMap | undefined>): Layer {
  const mapFor = (url: string) => {
    if (!maps.has(url)) {
      try { maps.set(url, new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')))); } catch { maps.set(url, undefined); }
    }
    return maps.get(url);
  };
  return (url, line) => {
    if (url.startsWith('node:internal/modules')) return 'node: module loading + compile';
    if (url.startsWith('node:internal/bootstrap') || url.startsWith('node:internal/main')) return 'node: bootstrap';
    if (url.startsWith('node:') || url === '') return 'node: other internals (fs, url, crypto, streams, deps)';
    const map = url.startsWith('file:') ? mapFor(url) : undefined;
    const src = map && line ? (map.findEntry(line - 1, 0) as { originalSource?: string }).originalSource ?? '' : '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(src)?.[1];
    if (!pkg) return src ? 'workbay (lib/, functions/)' : 'bundle, unmapped';
    if (pkg === 'zod') return 'zod';
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') || pkg.startsWith('@aws/')) return 'AWS SDK (@aws-sdk, @smithy)';
    if (pkg === 'hono' || pkg.startsWith('@hono/') || pkg === '@asteasolutions/zod-to-openapi') return 'hono, zod-openapi';
    return 'other packages';
  };
}

/** Self ms per layer of one profile: a node's self time split over its lines by their ticks. */
function layers(p: CpuProfile, layer: Layer): Map<string, number> {
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000));
  const out = new Map<string, number>();
  const add = (k: string, ms: number) => out.set(k, (out.get(k) ?? 0) + ms);
  for (const n of p.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms) continue;
    const fn = n.callFrame.functionName;
    if (fn === '(garbage collector)' || fn === '(idle)' || fn === '(program)') { add(fn === '(idle)' ? 'idle (waiting on I/O: the reads)' : fn === '(program)' ? 'V8 outside JS (parse, compile)' : 'GC', ms); continue; }
    const ticks = n.positionTicks ?? [];
    const total = ticks.reduce((a, t) => a + t.ticks, 0);
    if (!total) { add(layer(n.callFrame.url), ms); continue; }
    for (const t of ticks) add(layer(n.callFrame.url, t.line), (ms * t.ticks) / total);
  }
  return out;
}

export async function profileColdStartBench(): Promise<void> {
  const host = await ensureTestDocker();
  let h: LambdaHarness | undefined;
  try {
    h = await startHarness({ env: { WORKBAY_DEFAULT_DOCKER_HOST: host } });
    await new ProviderService(h.store).add('name: local-docker\n');
    const shown = workspace('Running', 'Running');
    await h.store.workspaces.create(shown);
    const api = { name: 'api', dir: (await bundle(join(ROOT, 'functions/api.ts'), join(h.outDir, 'api-unminified'), { minify: false })).dir };
    const read = httpEvent('GET', `/v1/workspaces/${shown.id}`, { token: h.adminToken });
    const [bare, ...floors] = await bundleFloors(h.outDir, { minify: false });
    const subjects = [{ ...bare, event: httpEvent('GET', '/healthz') }, ...[...floors, api].map((s) => ({ ...s, event: read }))];
    const layer = layerOf(new Map());
    const sums = subjects.map(() => new Map<string, number>());
    const walls = subjects.map(() => [] as number[]);
    // Round-robin with an unprofiled warm-up round, as the cold-start benchmark runs.
    for (let round = 0; round <= RUNS; round++) {
      for (const [i, s] of subjects.entries()) {
        const dir = join(h.outDir, `cpu-${i}-${round}`);
        mkdirSync(dir);
        const runner = `const m = await import(${JSON.stringify(pathToFileURL(join(s.dir, 'index.mjs')).href)});
const r = await m.handler(JSON.parse(process.env.WORKBAY_PROFILE_EVENT), { awsRequestId: 'profile', getRemainingTimeInMillis: () => 60000 });
if (r.statusCode !== 200) throw new Error('status ' + r.statusCode);
process.stdout.write(String(performance.now())); process.exit(0);`;
        // execFile, not execFileSync: the harness's store answers the child from this process's event loop.
        const { stdout } = await run(process.execPath, [...(round ? ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir] : []), '--input-type=module', '-e', runner],
          { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...h.env, WORKBAY_PROFILE_EVENT: JSON.stringify(s.event) } });
        if (!round) continue;
        walls[i]!.push(Number(stdout));
        for (const f of readdirSync(dir)) {
          for (const [k, ms] of layers(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile, layer)) sums[i]!.set(k, (sums[i]!.get(k) ?? 0) + ms);
        }
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const names = [...new Set(sums.flatMap((m) => [...m.keys()]))].sort((a, b) => (sums.at(-1)!.get(b) ?? 0) - (sums.at(-1)!.get(a) ?? 0));
    const mean = (i: number, k: string) => (sums[i]!.get(k) ?? 0) / RUNS;
    console.log(`\ncold-start profile: self ms per layer, unminified bundles under --cpu-prof, mean of ${RUNS} starts each`);
    printTable(['layer', ...subjects.map((s) => s.name)], [
      ...names.map((k) => [k, ...subjects.map((_, i) => mean(i, k).toFixed(1))]),
      ['in-process to first reply', ...walls.map((w) => (w.reduce((a, b) => a + b, 0) / w.length).toFixed(1))],
    ]);
  } finally {
    await h?.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await profileColdStartBench();
