import { ulid } from 'ulid';
import { startEmbeddedDynamo } from '/work/main/lib/store/embedded';
import { openStore, ensureTable, LOCAL_CREDENTIALS, type WorkspaceRecord } from '/work/main/lib/store';
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


const d = await startEmbeddedDynamo({ path: '/tmp/w20dbg/data-' + Date.now() });
const store = openStore({ tableName: 'ttt', endpoint: d.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
await ensureTable(store.db);
const now = Date.now();
const recs = plan(Number(process.env.N ?? 100)).map((p, i) => record(i, p.due, now, p.kind));
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => { while (next < recs.length) await store.workspaces.create(recs[next++]!); }));
const iso = new Date().toISOString();
let c: any; let n = 0; let reads = 0;
do { const r = await store.workspaces.listIdle(iso, { cursor: c }); n += r.items.length; reads += r.read; c = r.cursor; } while (c);
console.log('idle', n, reads);
c = undefined; n = 0; reads = 0;
do { const r = await store.workspaces.listRetained(iso, { cursor: c }); n += r.items.length; reads += r.read; c = r.cursor; } while (c);
console.log('retained', n, reads);
await d.close();
process.exit(0);
