/**
 * Time from request to a Running workspace, workbay vs the reference `devcontainer up`
 * (@devcontainers/cli), on the same engine with the same image-based devcontainer.json
 * (containerEnv + postCreateCommand), both recreating the container on every run. Alternating runs,
 * medians, and the ratio, measured in one process run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateToken } from '../lib/api';
import { startEmbedded } from '../lib/embedded';
import { ensureTestDocker, ensureTestImages } from '../test/support/dockerd';
import { dockerAt, floorUp } from './floor';
import { median, ms, printTable } from './support';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const IMAGE = 'workbay-test/busybox:local';
const config = { image: IMAGE, containerEnv: { GREETING: 'hello' }, postCreateCommand: 'echo created >> /tmp/post-create.log' };

export async function upTimeBench(): Promise<{ workbay: number; reference: number; floor: number; ratio: number; floorRatio: number; floorVsReference: number }> {
  const host = await ensureTestDocker();
  ensureTestImages(host);
  const dir = mkdtempSync(join(tmpdir(), 'workbay-bench-'));
  const admin = generateToken();
  const wb = await startEmbedded({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'data'), adminToken: admin, table: 'workbay', dockerHost: host, helperImage: 'workbay-test/git:local', helperNetwork: 'host', reconcileIntervalSeconds: 5, sweepIntervalSeconds: 3600, idleWarningSeconds: 60 });
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${wb.url}${path}`, { method, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: json ? JSON.stringify(json) : undefined });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };
  await call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
  const ref = join(dir, 'ref');
  mkdirSync(join(ref, '.devcontainer'), { recursive: true });
  writeFileSync(join(ref, '.devcontainer', 'devcontainer.json'), JSON.stringify(config));
  const cli = join(process.cwd(), 'node_modules', '.bin', 'devcontainer');
  const env = { ...process.env, DOCKER_HOST: host };

  const docker = dockerAt(host);
  const times = { workbay: [] as number[], reference: [] as number[], floor: [] as number[] };
  for (let i = 0; i < RUNS + 1; i++) {
    let t = performance.now();
    const r = await call('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: `bench-${i}`, source: { image: IMAGE }, devcontainer: JSON.stringify(config) });
    const wbMs = performance.now() - t;
    if (r.body.status !== 'Running') throw new Error(`workbay run ${i} ended ${r.body.status}: ${r.body.statusReason}`);
    await call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`);

    t = performance.now();
    const out = await run(cli, ['up', '--workspace-folder', ref, '--remove-existing-container'], { env });
    const refMs = performance.now() - t;
    if (!out.stdout.includes('"outcome":"success"')) throw new Error(`devcontainer up failed: ${out.stdout}`);
    const floorMs = await floorUp(docker, `workbay-floor-up-${i}`);
    if (i === 0) continue; // warm-up: first image inspect, CLI caches
    times.workbay.push(wbMs);
    times.reference.push(refMs);
    times.floor.push(floorMs);
  }
  await run(cli, ['up', '--workspace-folder', ref, '--remove-existing-container'], { env }).catch(() => undefined);
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `label=devcontainer.local_folder=${ref}`], { env });
  for (const id of stdout.split('\n').filter(Boolean)) await run('docker', ['rm', '-f', id], { env });
  await wb.close();
  rmSync(dir, { recursive: true, force: true });

  const result = { workbay: median(times.workbay), reference: median(times.reference), floor: median(times.floor), ratio: 0, floorRatio: 0, floorVsReference: 0 };
  result.ratio = result.workbay / result.reference;
  result.floorRatio = result.workbay / result.floor;
  // The floor against the reference is the lowest workbay's ratio to it can go on this engine.
  result.floorVsReference = result.floor / result.reference;
  const vs = (xs: number[]) => (median(xs) / result.reference).toFixed(2);
  const perRun = times.workbay.map((w, i) => w / times.reference[i]!);
  console.log(`\nup-time: request to Running, ${RUNS} runs each (after one warm-up), same engine, same devcontainer.json`);
  printTable(['tool', 'median', 'min', 'max', '/ devcontainer up'], [
    ['workbay (API ?wait)', ms(result.workbay), ms(Math.min(...times.workbay)), ms(Math.max(...times.workbay)), vs(times.workbay)],
    ['devcontainer up', ms(result.reference), ms(Math.min(...times.reference)), ms(Math.max(...times.reference)), vs(times.reference)],
    ['engine floor (dockerode)', ms(result.floor), ms(Math.min(...times.floor)), ms(Math.max(...times.floor)), vs(times.floor)],
  ]);
  console.log(`ratio workbay/floor: ${result.floorRatio.toFixed(2)} (target <= 1.15); workbay/devcontainer up: ${result.ratio.toFixed(2)} (target <= 0.30; ` +
    `per run ${Math.min(...perRun).toFixed(2)}-${Math.max(...perRun).toFixed(2)}); floor/devcontainer up: ${result.floorVsReference.toFixed(2)} (the lowest that ratio can go here)`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await upTimeBench();
