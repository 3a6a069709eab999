/**
 * Fleets at once: N workspaces created in parallel through the API (`?wait`), wall time until all are
 * Running, against the engine floor doing the same N in parallel (bench/floor.ts). N = 1, 8, 32.
 * Also prints the embedded server's RSS with the fleet running.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateToken } from '../lib/tokens';
import { startEmbedded } from '../lib/embedded';
import { ensureTestDocker, ensureTestImages } from '../test/support/dockerd';
import { dockerAt, floorUp } from './floor';
import { median, ms, printTable } from './support';

const IMAGE = 'workbay-test/busybox:local';
const SIZES = (process.env.BENCH_FLEET ?? '1,8,32').split(',').map(Number);
const RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const config = { image: IMAGE, containerEnv: { GREETING: 'hello' }, postCreateCommand: 'echo created >> /tmp/post-create.log', runArgs: ['--network=none'] };

export async function fleetBench(): Promise<Record<number, { workbay: number; floor: number; ratio: number }>> {
  const host = await ensureTestDocker();
  ensureTestImages(host);
  const docker = dockerAt(host);
  const dir = mkdtempSync(join(tmpdir(), 'workbay-fleet-'));
  const admin = generateToken();
  const wb = await startEmbedded({
    port: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), adminToken: admin, table: 'workbay', dockerHost: host,
    helperImage: 'workbay-test/git:local', helperNetwork: 'host', reconcileIntervalSeconds: 5, sweepIntervalSeconds: 3600, idleWarningSeconds: 60,
  });
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${wb.url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };
  await call('POST', '/v1/providers', { yaml: 'name: local-docker\nworkbay:\n  policy:\n    quotas: { workspaces: 1000, running: 1000 }\n' });
  const out: Record<number, { workbay: number; floor: number; ratio: number }> = {};
  const rows: string[][] = [];
  let rss = 0;
  for (const n of SIZES) {
    const wbTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let run = 0; run < RUNS + 1; run++) {
      let t = performance.now();
      const made = await Promise.all(Array.from({ length: n }, (_, i) => call('POST', '/v1/workspaces?wait=25', {
        provider: 'local-docker', name: `fleet-${n}-${run}-${i}`, source: { image: IMAGE }, devcontainer: JSON.stringify(config),
      })));
      const wbMs = performance.now() - t;
      const bad = made.find((r) => r.body?.status !== 'Running');
      if (bad) throw new Error(`fleet ${n}: a workspace ended ${bad.body?.status}: ${bad.body?.statusReason ?? bad.body?.detail}`);
      rss = Math.max(rss, process.memoryUsage().rss);
      await Promise.all(made.map((r) => call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`)));
      t = performance.now();
      await Promise.all(Array.from({ length: n }, (_, i) => floorUp(docker, `workbay-floor-${n}-${run}-${i}`)));
      const floorMs = performance.now() - t;
      if (run === 0) continue; // warm-up
      wbTimes.push(wbMs);
      floorTimes.push(floorMs);
    }
    const r = { workbay: median(wbTimes), floor: median(floorTimes), ratio: 0 };
    r.ratio = r.workbay / r.floor;
    out[n] = r;
    rows.push([String(n), ms(r.workbay), ms(r.floor), r.ratio.toFixed(2)]);
  }
  await wb.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`\nfleet: N workspaces at once, wall time to all Running (medians of ${RUNS} after a warm-up), against the engine floor doing the same N`);
  printTable(['N', 'workbay', 'floor', 'ratio'], rows);
  console.log(`targets: N=1 <= 1.15, N=8 and N=32 <= 1.25; embedded process RSS with the fleet running: ${(rss / 2 ** 20).toFixed(0)} MB (this process also runs the benchmark client)`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await fleetBench();
