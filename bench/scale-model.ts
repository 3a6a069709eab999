/**
 * An in-process capacity model of the single table: it is fed the items the store's own key code
 * builds (toItem) and bills them as DynamoDB does, per partition key value and simulated second.
 * It stores nothing but counters; the simulation (bench/scale.ts) keeps the fleet.
 */

const KB = 1024;

/** DynamoDB's item size: attribute names plus values (numbers about half their digits, maps and lists 3 bytes plus 1 per element). */
export function itemSize(item: Record<string, unknown>): number {
  let n = 0;
  for (const k in item) {
    const v = item[k];
    if (v !== undefined) n += k.length + valueSize(v);
  }
  return n;
}

function valueSize(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (typeof v === 'number') return 1 + Math.ceil(String(v).replace(/[-.]/g, '').length / 2);
  if (typeof v === 'boolean' || v === null) return 1;
  if (Array.isArray(v)) return 3 + v.reduce((a: number, x) => a + 1 + valueSize(x), 0);
  if (typeof v === 'object') return 3 + itemSize(v as Record<string, unknown>) + Object.keys(v as object).length;
  return 0;
}

/** One index of the model: which attributes key it (projection ALL, as infra/table.ts defines both). */
export interface IndexSpec { name: string; pk: string; sk: string }

/** The index attributes and billed size of an item, all the model keeps of it between writes. */
export interface Shape { size: number; keys: Record<string, string | undefined> }

/** Counts units per partition key value per second; keeps each key's peak second and the totals. */
class Meter {
  private current = new Map<string, number>();
  readonly peak = new Map<string, number>();
  /** The base table has a key per workspace: only the hottest is kept, not a map of a million. */
  hottest = { key: '', units: 0 };
  total = 0;

  constructor(private readonly keepAll: boolean) {}

  add(key: string, units: number): void {
    this.current.set(key, (this.current.get(key) ?? 0) + units);
    this.total += units;
  }

  reset(): void {
    this.current.clear();
    this.peak.clear();
    this.hottest = { key: '', units: 0 };
    this.total = 0;
  }

  endSecond(): void {
    for (const [k, u] of this.current) {
      if (this.keepAll) this.peak.set(k, Math.max(this.peak.get(k) ?? 0, u));
      if (u > this.hottest.units) this.hottest = { key: k, units: u };
    }
    this.current.clear();
  }
}

/** Write and read units of one table layout: the base table and each GSI, per key and second. */
export class TableModel {
  readonly writes: Record<string, Meter>;
  readonly reads: Record<string, Meter>;

  constructor(readonly indexes: IndexSpec[]) {
    this.writes = { table: new Meter(false), ...Object.fromEntries(indexes.map((i) => [i.name, new Meter(true)])) };
    this.reads = { table: new Meter(false), ...Object.fromEntries(indexes.map((i) => [i.name, new Meter(true)])) };
  }

  shapeOf(item: Record<string, unknown>): Shape {
    const keys: Record<string, string | undefined> = {};
    for (const i of this.indexes) {
      keys[i.pk] = item[i.pk] as string | undefined;
      keys[i.sk] = item[i.sk] as string | undefined;
    }
    return { size: itemSize(item), keys };
  }

  /**
   * Bills one put of `next` over `prev` (undefined: a new item; next undefined: a delete). The base
   * table bills the larger image per started KB; an index with projection ALL bills a put wherever
   * the item is in it afterwards and a delete where it was and is no longer.
   */
  write(pk: string, prev: Shape | undefined, next: Shape | undefined): void {
    const units = (s: Shape | undefined) => (s ? Math.max(1, Math.ceil(s.size / KB)) : 0);
    this.writes.table!.add(pk, Math.max(units(prev), units(next)));
    for (const i of this.indexes) {
      const before = prev?.keys[i.pk] !== undefined && prev?.keys[i.sk] !== undefined ? prev : undefined;
      const after = next?.keys[i.pk] !== undefined && next?.keys[i.sk] !== undefined ? next : undefined;
      const meter = this.writes[i.name]!;
      const moved = before && after && (before.keys[i.pk] !== after.keys[i.pk] || before.keys[i.sk] !== after.keys[i.sk]);
      if (before && (!after || moved)) meter.add(before.keys[i.pk]!, units(before));
      if (after) meter.add(after.keys[i.pk]!, moved || !before ? units(after) : Math.max(units(before), units(after)));
    }
  }

  /** Bills one eventually consistent Query of `index` on `pk` that read `bytes` (half a unit per started 4 KB). */
  query(index: string, pk: string, bytes: number): void {
    this.reads[index]!.add(pk, Math.max(1, Math.ceil(bytes / (4 * KB))) / 2);
  }

  /** Bills a strongly consistent GetItem of `bytes` (one unit per started 4 KB). */
  get(pk: string, bytes: number): void {
    this.reads.table!.add(pk, Math.max(1, Math.ceil(bytes / (4 * KB))));
  }

  endSecond(): void {
    for (const m of [...Object.values(this.writes), ...Object.values(this.reads)]) m.endSecond();
  }

  /** Forgets everything billed so far (the fleet's seeding is not steady state). */
  reset(): void {
    for (const m of [...Object.values(this.writes), ...Object.values(this.reads)]) m.reset();
  }
}
