/**
 * Capacity at scale (issue 20, ADR 0015): a synthetic fleet of 10^4, 10^5 and 10^6 Running
 * workspaces over simulated time, written through the store's real key code (toItem, the shard
 * hash) and the real heartbeat throttle (recordActivity), billed by an in-process model of DynamoDB
 * (bench/scale-model.ts) rather than dynalite, which could not hold a million items in a bench run.
 * Prints the hottest partition key value of the base table and each index beside the per-partition
 * limits, today's unsharded layout beside the sharded one, and request units per 1,000 workspace-hours.
 */
import { ulid } from 'ulid';
import { recordActivity } from '../lib/workspaces/activity';
import { toItem } from '../lib/store/workspaces';
import { ownerList } from '../lib/store/keys';
import { shardKeys } from '../lib/store/shards';
import type { Store, WorkspaceRecord } from '../lib/store';
import { TableModel, type Shape } from './scale-model';
import { printTable } from './support';

const TIMEOUT_S = 1800;
const SESSION_S = 8 * 3600; // mean time a workspace is used before it goes idle and is swept
const SIM_S = Number(process.env.BENCH_SCALE_SECONDS ?? 360);
const BOT_SHARE = 0.3; // the GitHub integration owns this share of the fleet, under one owner
const WRITE_LIMIT = 1000;
const READ_LIMIT = 3000;
const USD_PER_M_WRU = 0.625; // on-demand, us-east-1, from November 2024
const USD_PER_M_RRU = 0.125;
const SWEEP_EVERY = 10; const REDRIVE_EVERY = 2; const RESYNC_EVERY = 30; const CLIENT_HEARTBEAT = 30;
/** The table setting `SETTING#index-shards` per fleet, as ADR 0015 sizes it. */
const SHARDS: Record<number, number> = { 10_000: 16, 100_000: 32, 1_000_000: 256 };
const FLEETS = (process.env.BENCH_SCALE_FLEETS ?? '10000,100000,1000000').split(',').map(Number);

// A devcontainer.json that makes the record 2.5 KB, mid-way in the 2-3 KB the issue measured (3 WCU per copy).
const DEVCONTAINER = JSON.stringify({
  name: 'service', image: 'mcr.microsoft.com/devcontainers/typescript-node:1-20-bookworm',
  features: { 'ghcr.io/devcontainers/features/docker-in-docker:2': { version: 'latest', moby: true }, 'ghcr.io/devcontainers/features/github-cli:1': {}, 'ghcr.io/devcontainers/features/aws-cli:1': {} },
  forwardPorts: [3000, 5432, 6379], postCreateCommand: 'npm ci && npm run build', postStartCommand: 'npm run db:migrate',
  customizations: { vscode: { extensions: ['dbaeumer.vscode-eslint', 'esbenp.prettier-vscode', 'ms-azuretools.vscode-docker', 'github.vscode-pull-request-github', 'eamodio.gitlens', 'vitest.explorer'], settings: { 'editor.formatOnSave': true, 'typescript.tsdk': 'node_modules/typescript/lib', 'files.exclude': { '**/node_modules': true, '**/dist': true } } } },
  remoteEnv: { NODE_OPTIONS: '--max-old-space-size=4096', DATABASE_URL: 'postgres://postgres:postgres@localhost:5432/dev' }, mounts: ['source=node-modules,target=/workspace/node_modules,type=volume'],
  containerEnv: { AWS_REGION: 'eu-west-1', REDIS_URL: 'redis://localhost:6379/0', LOG_LEVEL: 'debug', FEATURE_FLAGS: 'new-billing,search-v2,audit-export', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
  portsAttributes: { 3000: { label: 'web', onAutoForward: 'openBrowser' }, 5432: { label: 'postgres', onAutoForward: 'silent' }, 6379: { label: 'redis', onAutoForward: 'silent' } },
  hostRequirements: { cpus: 4, memory: '8gb', storage: '32gb' },
}, null, 2);

const iso = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

function running(t: number, owner: string): WorkspaceRecord {
  const id = ulid(Date.UTC(2026, 0, 1) + t * 1000);
  return {
    id, name: `pr-${id.slice(-8).toLowerCase()}`, owner, provider: 'k8s-large', driver: 'kubernetes',
    source: { git: { url: 'https://github.example/acme/service.git', ref: 'refs/pull/1234/head' } },
    options: { CPU: '4', MEMORY: '8Gi', STORAGE_CLASS: 'gp3' }, env: { CI: 'false' }, devcontainer: DEVCONTAINER,
    desiredState: 'Running', status: 'Running', inactivityTimeoutSeconds: TIMEOUT_S, inactivityTimeoutSource: 'provider',
    lastActivityAt: iso(t), lastActivitySource: 'api', idleDeadline: iso(t + TIMEOUT_S), retentionSeconds: 7 * 86_400,
    driverRef: { namespace: 'workbay', pod: `wb-${id.toLowerCase()}`, volume: `wb-${id.toLowerCase()}` },
    version: 1, createdAt: iso(t), updatedAt: iso(t),
  } as WorkspaceRecord;
}

/** Both layouts, billed from the same writes: today's unsharded keys and the sharded ones. */
interface Layout { name: string; model: TableModel; unsharded: boolean }

/** Today's keys of an item the sharded code built: the bare GSI1 base and `OWNER#<owner>` (fewer bytes, too). */
function unshardedShape(s: Shape, owner: string): Shape {
  const g1 = s.keys.gsi1pk?.replace(/#\d+$/, '');
  const g2 = ownerList(owner);
  const size = s.size - (s.keys.gsi1pk?.length ?? 0) + (g1?.length ?? 0) - s.keys.gsi2pk!.length + g2.length;
  return { size, keys: { ...s.keys, gsi1pk: g1, gsi2pk: g2 } };
}

class Sim {
  now = 0;
  readonly layouts: Layout[];
  readonly live = new Map<string, WorkspaceRecord>();
  /** The sharded shape of each live item; today's is derived from it (bench memory, not a model shortcut). */
  private readonly shapes = new Map<string, Shape>();
  private readonly heartbeats: string[][] = Array.from({ length: 90 }, () => []);
  private readonly idle: { id: string; at: number }[] = [];
  private readonly timeline = new Map<number, (() => Promise<void>)[]>();
  readonly store: Store;

  constructor(readonly fleet: number, readonly shards: number) {
    const indexes = [{ name: 'gsi1', pk: 'gsi1pk', sk: 'gsi1sk' }, { name: 'gsi2', pk: 'gsi2pk', sk: 'gsi2sk' }];
    this.layouts = [
      { name: 'today (unsharded)', model: new TableModel(indexes), unsharded: true },
      { name: `sharded x${shards}`, model: new TableModel(indexes), unsharded: false },
    ];
    const sim = this;
    // The write path recordActivity and the lifecycle steps below go through, with the clock injected.
    this.store = { workspaces: {
      async update(prev: WorkspaceRecord, next: WorkspaceRecord) { return sim.put({ ...next, version: prev.version + 1, updatedAt: iso(sim.now) }); },
      async get(id: string) { return sim.live.get(id); },
    } } as unknown as Store;
  }

  put(rec: WorkspaceRecord | undefined, id = rec?.id): WorkspaceRecord {
    const owner = (rec ?? this.live.get(id!))!.owner;
    const prev = this.shapes.get(id!);
    const next = rec ? this.layouts[1]!.model.shapeOf(toItem(rec, this.shards)) : undefined;
    for (const l of this.layouts) {
      const view = (s: Shape | undefined) => (s && l.unsharded ? unshardedShape(s, owner) : s);
      l.model.write(`WS#${id}`, view(prev), view(next));
    }
    if (next) this.shapes.set(id!, next); else this.shapes.delete(id!);
    if (rec) this.live.set(rec.id, rec); else this.live.delete(id!);
    return rec!;
  }

  /** The GSI1 partition an item is in, per layout. */
  gsi1Of(l: Layout, id: string): string | undefined {
    const s = this.shapes.get(id);
    return s && (l.unsharded ? unshardedShape(s, this.live.get(id)!.owner) : s).keys.gsi1pk;
  }

  at(t: number, step: () => Promise<void>): void {
    const list = this.timeline.get(t) ?? [];
    list.push(step);
    this.timeline.set(t, list);
  }

  /** Seeds the fleet in steady state: heartbeat phases spread over 90 s, and the sessions that ended in the last timeout waiting for the sweep. */
  seed(): void {
    const idleEvery = Math.round(SESSION_S / TIMEOUT_S);
    for (let i = 0; i < this.fleet; i++) {
      const owner = i < this.fleet * BOT_SHARE ? 'github-bot' : `user-${i % Math.ceil(this.fleet / 3)}`;
      const ws = running(-((i * 7919) % 86_400) - 90, owner);
      // One in (session / timeout) sessions ended within the last timeout and waits for the sweep.
      const last = i % idleEvery === 0 ? -((i * 31) % TIMEOUT_S) : (i % 90) - 90;
      const rec = { ...ws, lastActivityAt: iso(last), idleDeadline: iso(last + TIMEOUT_S) };
      this.put(rec);
      if (i % idleEvery === 0) this.idle.push({ id: rec.id, at: last + TIMEOUT_S });
      else this.heartbeats[i % 90]!.push(rec.id);
    }
    this.idle.sort((a, b) => a.at - b.at);
  }

  /** Partitions a GSI1 reader queries (the unsharded key too, ADR 0015), per layout. */
  private partitions(l: Layout, base: string): string[] {
    return l.unsharded ? [base] : shardKeys(base, this.shards);
  }

  private bill(index: string, base: string, itemsPerPartition: (p: string) => number, bytes = 2600): void {
    for (const l of this.layouts) for (const p of this.partitions(l, base)) l.model.query(index, p, itemsPerPartition(p) * bytes);
  }

  async second(): Promise<void> {
    const t = this.now;
    // Clients heartbeat every 30 s, each call reading the record and the caller's token; the throttle
    // lets every third one write (5% of the timeout).
    const bucket = this.heartbeats[((t % 90) + 90) % 90]!;
    for (const l of this.layouts) for (const id of bucket) {
      const owner = this.live.get(id)?.owner;
      l.model.reads.table!.add(`WS#${id}`, 90 / CLIENT_HEARTBEAT);
      l.model.reads.table!.add(`TOKEN#${owner}`, 90 / CLIENT_HEARTBEAT);
    }
    for (const id of bucket) {
      const ws = this.live.get(id);
      if (ws) await recordActivity(this.store, ws, 'api', new Date(iso(t)));
    }
    if (t % SWEEP_EVERY === 0) await this.sweep(t);
    if (t % REDRIVE_EVERY === 0) this.bill('gsi1', 'WORK', () => 0);
    if (t % RESYNC_EVERY === 0) for (const base of ['SWEEP', 'RETAIN', 'SETTLED']) {
      for (const l of this.layouts) {
        const ps = this.partitions(l, base);
        for (const p of ps) l.model.query('gsi1', p, Math.max(2, Math.ceil(100 / (ps.length + (l.unsharded ? 0 : 1)))) * 2600);
      }
    }
    for (const step of this.timeline.get(t) ?? []) await step();
    this.timeline.delete(t);
    for (const l of this.layouts) l.model.endSecond();
    this.now++;
  }

  /** The sweep reads what is due from every SWEEP partition, re-reads each, stops it (a lease, renewed, then Stopped) and the user starts a new one. */
  private async sweep(t: number): Promise<void> {
    const due: WorkspaceRecord[] = [];
    while (this.idle.length && this.idle[0]!.at <= t) due.push(this.live.get(this.idle.shift()!.id)!);
    const byPartition = new Map<string, number>();
    for (const l of this.layouts) for (const ws of due) {
      const pk = this.gsi1Of(l, ws.id)!;
      byPartition.set(pk, (byPartition.get(pk) ?? 0) + 1);
    }
    this.bill('gsi1', 'SWEEP', (p) => byPartition.get(p) ?? 0);
    for (const ws of due) {
      for (const l of this.layouts) l.model.get(`WS#${ws.id}`, 2600);
      let cur = await this.store.workspaces.update(ws, { ...ws, desiredState: 'Stopped', stopReason: 'inactivity' });
      cur = await this.store.workspaces.update(cur, { ...cur, leaseOwner: 'reconciler', leaseUntil: iso(t + 30) });
      this.at(t + 10, async () => { cur = await this.store.workspaces.update(cur, { ...cur, leaseUntil: iso(t + 40) }); });
      this.at(t + 20, async () => {
        const { leaseOwner: _o, leaseUntil: _u, idleDeadline: _d, ...rest } = cur;
        const stopped = await this.store.workspaces.update(cur, { ...rest, status: 'Stopped', stoppedAt: iso(t + 20) } as WorkspaceRecord);
        // Leaves the simulation; its item stays in RETAIN, unwritten in the window.
        this.live.delete(stopped.id);
        this.shapes.delete(stopped.id);
      });
      this.start(t, ws.owner);
    }
  }

  /** A new workspace: created, leased while the engine works (renewed every 10 s), then Running and heartbeating. */
  private start(t: number, owner: string): void {
    const base = running(t, owner);
    let cur = this.put({ ...base, status: 'Pending', idleDeadline: undefined, driverRef: undefined, leaseOwner: 'reconciler', leaseUntil: iso(t + 30) });
    for (let s = 10; s <= 50; s += 10) this.at(t + s, async () => { cur = await this.store.workspaces.update(cur, { ...cur, status: 'Creating', leaseUntil: iso(t + s + 30) }); });
    this.at(t + 60, async () => {
      const { leaseOwner: _o, leaseUntil: _u, ...rest } = cur;
      cur = await this.store.workspaces.update(cur, { ...rest, status: 'Running', driverRef: base.driverRef, lastActivityAt: iso(t + 60), idleDeadline: iso(t + 60 + TIMEOUT_S) });
      this.heartbeats[(t + 60) % 90]!.push(cur.id);
    });
  }
}

function hottest(m: TableModel['writes'][string]): [string, number] {
  return [m.hottest.key, m.hottest.units];
}

export async function scaleBench(): Promise<{ fleet: number; shards: number; peakShare: number; perKWsh: number }[]> {
  const out: { fleet: number; shards: number; peakShare: number; perKWsh: number }[] = [];
  for (const fleet of FLEETS) {
    const sim = new Sim(fleet, SHARDS[fleet] ?? 16);
    sim.seed();
    for (const l of sim.layouts) l.model.reset(); // seeding is not steady state
    while (sim.now < SIM_S) await sim.second();
    const wsHours = (fleet * SIM_S) / 3600;
    console.log(`\nscale: ${fleet.toLocaleString('en-US')} Running workspaces, ${SIM_S} simulated s (heartbeat writes every ${TIMEOUT_S * 0.05} s, leases every 10 s during work, sweep ${SWEEP_EVERY} s, re-drive ${REDRIVE_EVERY} s, resync ${RESYNC_EVERY} s; ${BOT_SHARE * 100}% of the fleet under one bot owner)`);
    const sample = sim.layouts[1]!.model.shapeOf(toItem(running(0, 'github-bot'), sim.shards)).size;
    console.log(`workspace item: ${sample} bytes (${Math.ceil(sample / 1024)} WCU per copy; projection ALL puts a copy in each index)`);
    const rows: (string | number)[][] = [];
    for (const l of sim.layouts) {
      for (const name of ['table', 'gsi1', 'gsi2']) {
        const [key, units] = hottest(l.model.writes[name]!);
        rows.push([l.name, name, key, units.toFixed(0), `${((units / WRITE_LIMIT) * 100).toFixed(1)}%`, units <= WRITE_LIMIT / 2 ? 'ok' : 'OVER 50%']);
      }
    }
    printTable(['layout', 'where', 'hottest key (writes)', 'peak WCU/s', 'of 1,000', '< 50%'], rows);
    const costRows = sim.layouts.map((l) => {
      const w = Object.values(l.model.writes).reduce((a, m) => a + m.total, 0);
      const r = Object.values(l.model.reads).reduce((a, m) => a + m.total, 0);
      const [rk, ru] = [l.model.reads.table!.hottest.key, l.model.reads.table!.hottest.units];
      return { l, w, r, rk, ru, usd: (w * USD_PER_M_WRU + r * USD_PER_M_RRU) / 1e6 };
    });
    printTable(['layout', 'WRU per 1,000 ws-h', 'RRU per 1,000 ws-h', 'USD per 1,000 ws-h', 'USD per hour (fleet)', 'hottest read key', 'peak RCU/s'],
      costRows.map(({ l, w, r, rk, ru, usd }) => [l.name, ((w / wsHours) * 1000).toFixed(0), ((r / wsHours) * 1000).toFixed(0), ((usd / wsHours) * 1000).toFixed(4), (usd * 3600 / SIM_S).toFixed(2), rk, `${ru.toFixed(0)} of ${READ_LIMIT}`]));
    const sharded = sim.layouts[1]!;
    const peak = Math.max(...['table', 'gsi1', 'gsi2'].map((n) => sharded.model.writes[n]!.hottest.units));
    const w = Object.values(sharded.model.writes).reduce((a, m) => a + m.total, 0);
    out.push({ fleet, shards: sim.shards, peakShare: peak / WRITE_LIMIT, perKWsh: (w / wsHours) * 1000 });
  }
  const big = out.find((o) => o.fleet === 1_000_000);
  if (big) console.log(`\n10^6 running, sharded x${big.shards}: hottest key peaks at ${(big.peakShare * 100).toFixed(1)}% of the 1,000 WCU/s partition limit (target < 50%): ${big.peakShare < 0.5 ? 'ok' : 'NOT MET'}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await scaleBench();
