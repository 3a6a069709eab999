/**
 * Sweep cost vs fleet size: with 100, 1,000 and 10,000 Running workspace records and the same 20 due,
 * prints index items read and wall time per sweep. The due ones point at a real (test) engine where
 * their containers are already gone, so the driver calls are real but cheap; what grows is store work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { generateToken } from '../lib/api';
import { startEmbedded } from '../lib/embedded';
import type { WorkspaceRecord } from '../lib/store';
import { ensureTestDocker } from '../test/support/dockerd';
import { ms, printTable } from './support';

const DUE = 20;

function record(i: number, due: boolean, now: number): WorkspaceRecord {
  const id = ulid();
  const at = new Date(now - (due ? 3600_000 : 0)).toISOString();
  return {
    id, name: `ws-${i}`, owner: `owner-${i % 50}`, provider: 'local-docker', driver: 'docker', source: { image: 'workbay-test/busybox:local' },
    options: {}, env: {}, desiredState: 'Running', status: 'Running', inactivityTimeoutSeconds: 1800, inactivityTimeoutSource: 'provider',
    lastActivityAt: at, lastActivitySource: 'start', idleDeadline: new Date(Date.parse(at) + (due ? 1800_000 : 86_400_000 + i * 1000)).toISOString(),
    idleWarningFor: undefined, driverRef: { containerId: `gone-${id}` }, version: 1, createdAt: at, updatedAt: at,
  };
}

export async function sweepCostBench(): Promise<{ fleet: number; read: number; ms: number }[]> {
  const host = await ensureTestDocker();
  const rows: { fleet: number; read: number; ms: number }[] = [];
  // The first round (100) only warms the process up (driver module loading, first connections).
  for (const [round, fleet] of [100, 100, 1_000, 10_000].entries()) {
    const dir = mkdtempSync(join(tmpdir(), 'workbay-sweep-bench-'));
    const admin = generateToken();
    const wb = await startEmbedded({ port: 0, host: '127.0.0.1', dataDir: dir, adminToken: admin, table: 'workbay', dockerHost: host, helperImage: 'workbay-test/git:local', reconcileIntervalSeconds: 3600, sweepIntervalSeconds: 3600, idleWarningSeconds: 0 });
    await fetch(`${wb.url}/v1/providers`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' }, body: 'name: local-docker\n' });
    // Warm-up sweep on the empty fleet: module loading and first connections are not sweep cost.
    await fetch(`${wb.url}/v1/sweeps`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    const now = Date.now();
    const recs = Array.from({ length: fleet }, (_, i) => record(i, i < DUE, now));
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < recs.length) await wb.store.workspaces.create(recs[next++]!);
    }));
    const t = performance.now();
    const res = await fetch(`${wb.url}/v1/sweeps`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    const body = (await res.json()) as { stopped: number; read: number; checked: number };
    const wall = performance.now() - t;
    if (body.stopped !== DUE) throw new Error(`expected ${DUE} stopped, got ${JSON.stringify(body)}`);
    if (round > 0) rows.push({ fleet, read: body.read, ms: wall });
    await wb.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nsweep cost: ${DUE} due workspaces in fleets of growing size (one sweep each, via POST /v1/sweeps)`);
  printTable(['fleet', 'items read', 'wall time', 'read vs 100'], rows.map((r) => [r.fleet, r.read, ms(r.ms), (r.read / rows[0]!.read).toFixed(2)]));
  console.log(`items read at 10,000 / at 100: ${(rows[2]!.read / rows[0]!.read).toFixed(2)} (target <= 2.00)`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await sweepCostBench();
