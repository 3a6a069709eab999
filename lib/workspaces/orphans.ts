import type { Driver, DriverWorkspace, ManagedObject } from '../drivers';
import type { ProviderService } from '../providers';
import type { Store } from '../store';

/** What one collection did. */
export interface CollectResult {
  /** Providers whose engine or cluster was listed. */
  providers: number;
  /** Workspaces (by id) with labelled objects and no record, removed. */
  removed: number;
  failed: number;
  failures: { provider: string; workspaceId?: string; error: string }[];
}

/** How old the newest object of a workspace must be before it is collected: a create racing its own delete. */
export const ORPHAN_GRACE_MS = 10 * 60_000;

/** Builds the driver of a provider as such (no workspace options). */
export type DriverForProvider = (provider: string) => Promise<Driver>;

/** Pure: workspace ids among `objects` that have no record and whose objects are all older than the grace. */
export function orphanIds(objects: ManagedObject[], hasRecord: Set<string>, now: Date, graceMs: number): string[] {
  const newest = new Map<string, number>();
  for (const o of objects) {
    const id = o.workspaceId.toUpperCase();
    newest.set(id, Math.max(newest.get(id) ?? 0, o.createdAt?.getTime() ?? 0));
  }
  return [...newest].filter(([id, at]) => !hasRecord.has(id) && now.getTime() - at >= graceMs).map(([id]) => id);
}

/**
 * The orphan collector: per provider, lists the engine objects labelled with this control plane's
 * instance id and removes those of workspaces whose record is gone (a forced delete, a create that
 * outlived its delete). Nothing without both labels is ever touched, so a shared engine is safe.
 */
export class OrphanCollector {
  constructor(
    private readonly store: Store,
    private readonly providers: ProviderService,
    private readonly driverForProvider: DriverForProvider,
    private readonly graceMs = ORPHAN_GRACE_MS,
  ) {}

  async collect(opts: { now?: Date; graceMs?: number } = {}): Promise<CollectResult> {
    const now = opts.now ?? new Date();
    const result: CollectResult = { providers: 0, removed: 0, failed: 0, failures: [] };
    const instance = await this.store.instance.id();
    const removed = new Set<string>();
    for (const p of await this.providers.list()) {
      let driver: Driver | undefined;
      try {
        driver = await this.driverForProvider(p.name);
        if (!driver.listManaged) continue;
        const objects = await driver.listManaged(instance);
        result.providers++;
        const ids = [...new Set(objects.map((o) => o.workspaceId.toUpperCase()))];
        const present = new Set<string>();
        for (const id of ids) if (await this.store.workspaces.get(id)) present.add(id);
        for (const id of orphanIds(objects, present, now, opts.graceMs ?? this.graceMs)) {
          if (removed.has(id)) continue;
          const ws: DriverWorkspace = { id, name: id.toLowerCase(), owner: '', source: { image: '' }, env: {}, instance };
          try {
            await driver.delete(ws);
            removed.add(id);
          } catch (err) {
            result.failed++;
            result.failures.push({ provider: p.name, workspaceId: id, error: err instanceof Error ? err.message : String(err) });
          }
        }
      } catch (err) {
        result.failed++;
        result.failures.push({ provider: p.name, error: err instanceof Error ? err.message : String(err) });
      } finally {
        await driver?.close?.();
      }
    }
    result.removed = removed.size;
    return result;
  }
}
