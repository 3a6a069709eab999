/**
 * Sweep cost vs fleet size: with 100, 1,000 and 10,000 workspace records and the same 20 idle, 10 past
 * their maximum lifetime and 10 past their retention due, prints index items read and wall time per
 * sweep. A third of the fleet runs under a maximum lifetime, a third is Stopped under retention. The due ones point at a real (test) engine where
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
const DUE_LIFETIME = 10;
const DUE_RETENTION = 10;
const DAY = 86_400;

type Kind = 'idle' | 'lifetime' | 'retention';

function record(i: number, due: boolean, now: number, kind: Kind = 'idle'): WorkspaceRecord {
  const id = ulid();
  const at = new Date(now - (due ? 7200_000 : 0)).toISOString();
  const base = runningRecord(i, due, now, id);
  if (kind === 'lifetime') {
    return { ...base, inactivityTimeoutSeconds: 0, idleDeadline: undefined, startedAt: at, maxLifetimeSeconds: due ? 3600 : DAY + i };
  }
  if (kind === 'retention') {
    return { ...base, status: 'Stopped', desiredState: 'Stopped', idleDeadline: undefined, stoppedAt: at, updatedAt: at,
      retentionSeconds: due ? 3600 : 30 * DAY + i, retentionWarningSeconds: due ? 0 : DAY };
  }
  return base;
}

function runningRecord(i: number, due: boolean, now: number, id: string): WorkspaceRecord {
  const at = new Date(now - (due ? 3600_000 : 0)).toISOString();
  return {
    id, name: `ws-${i}`, owner: `owner-${i % 50}`, provider: 'local-docker', driver: 'docker', source: { image: 'workbay-test/busybox:local' },
    options: {}, env: {}, desiredState: 'Running', status: 'Running', inactivityTimeoutSeconds: 1800, inactivityTimeoutSource: 'provider',
    lastActivityAt: at, lastActivitySource: 'start', idleDeadline: new Date(Date.parse(at) + (due ? 1800_000 : 86_400_000 + i * 1000)).toISOString(),
    idleWarningFor: undefined, driverRef: { containerId: `gone-${id}` }, version: 1, createdAt: at, updatedAt: at,
  };
}

/** Which kind the i-th record of a fleet is, and whether it is due: the first DUE of each kind are. */
function plan(fleet: number): { kind: Kind; due: boolean }[] {
  const dueOf: Record<Kind, number> = { idle: DUE, lifetime: DUE_LIFETIME, retention: DUE_RETENTION };
  const seen: Record<Kind, number> = { idle: 0, lifetime: 0, retention: 0 };
  return Array.from({ length: fleet }, (_, i) => {
    const kind: Kind = (['idle', 'lifetime', 'retention'] as const)[i % 3]!;
    return { kind, due: seen[kind]++ < dueOf[kind] };
  });
}

export async function sweepCostBench(): Promise<{ fleet: number; read: number; ms: number }[]> {
  const host = await ensureTestDocker();
  const rows: { fleet: number; read: number; ms: number }[] = [];
  // The first round (100) only warms the process up (driver module loading, first connections).
  for (const [round, fleet] of [100, 100, 1_000, 10_000].entries()) {
    const dir = mkdtempSync(join(tmpdir(), 'workbay-sweep-bench-'));
    const admin = generateToken();
    const wb = await startEmbedded({ port: 0, host: '127.0.0.1', dataDir: dir, adminToken: admin, table: 'workbay', dockerHost: host, helperImage: 'workbay-test/git:local', reconcileIntervalSeconds: 3600, sweepIntervalSeconds: 3600, idleWarningSeconds: 0,
      // The drift resync would find the due records' containers missing and create them (a moved deadline).
      resyncIntervalSeconds: 3600, collectIntervalSeconds: 3600 });
    await fetch(`${wb.url}/v1/providers`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/yaml' }, body: 'name: local-docker\n' });
    // Warm-up sweep on the empty fleet: module loading and first connections are not sweep cost.
    await fetch(`${wb.url}/v1/sweeps`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    // The timers' first ticks (sweep, resync, re-drive) run at start, each querying every index shard;
    // on a loaded machine they can outlast the warm-up, and a start-up sweep still running would stop
    // part of the fleet written next.
    await new Promise((r) => setTimeout(r, 3000));
    const now = Date.now();
    const recs = plan(fleet).map((p, i) => record(i, p.due, now, p.kind));
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < recs.length) await wb.store.workspaces.create(recs[next++]!);
    }));
    const t = performance.now();
    const res = await fetch(`${wb.url}/v1/sweeps`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
    const body = (await res.json()) as { stopped: number; deleted: number; read: number; checked: number };
    const wall = performance.now() - t;
    if (body.stopped !== DUE + DUE_LIFETIME || body.deleted !== DUE_RETENTION) {
      throw new Error(`expected ${DUE + DUE_LIFETIME} stopped and ${DUE_RETENTION} deleted, got ${JSON.stringify(body)}`);
    }
    if (round > 0) rows.push({ fleet, read: body.read, ms: wall });
    await wb.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nsweep cost: ${DUE} idle, ${DUE_LIFETIME} past their maximum lifetime and ${DUE_RETENTION} past their retention due, in fleets of growing size`);
  console.log('(a third of each fleet Running with idle deadlines, a third under a maximum lifetime, a third Stopped under retention; one sweep each, via POST /v1/sweeps)');
  printTable(['fleet', 'items read', 'wall time', 'read vs 100'], rows.map((r) => [r.fleet, r.read, ms(r.ms), (r.read / rows[0]!.read).toFixed(2)]));
  console.log(`items read at 10,000 / at 100: ${(rows[2]!.read / rows[0]!.read).toFixed(2)} (target <= 2.00), reading every index shard (ADR 0015)`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await sweepCostBench();
