import type { Store } from '../store';
import { driftOf } from './drift';
import { withDriver, type DriverFor } from './drivers';

/** What one resync run did. */
export interface ResyncResult {
  observed: number;
  drifted: number;
  failed: number;
  failures: { workspaceId: string; error: string }[];
}

type Shard = 'sweep' | 'retain' | 'settled';

/**
 * The drift resync (periodic re-observation of settled workspaces): each run reads one page of each
 * settled shard, continuing where the last run stopped and wrapping around, so the cost per run is
 * bounded and every workspace is seen within (fleet / page size) runs. Observing costs no write;
 * only a workspace that drifted is handed to the reconciler, which corrects it under a lease.
 */
export class Resyncer {
  private readonly cursors: Record<Shard, Record<string, unknown> | undefined> = { sweep: undefined, retain: undefined, settled: undefined };

  constructor(
    private readonly store: Store,
    private readonly driverFor: DriverFor,
    private readonly reconcile: (id: string) => Promise<void>,
    private readonly pageSize = 50,
  ) {}

  async run(): Promise<ResyncResult> {
    const result: ResyncResult = { observed: 0, drifted: 0, failed: 0, failures: [] };
    for (const shard of ['sweep', 'retain', 'settled'] as const) {
      const page = await this.store.workspaces.listSettled(shard, { limit: this.pageSize, cursor: this.cursors[shard] });
      this.cursors[shard] = page.cursor;
      for (const ws of page.items) {
        try {
          const drift = await withDriver(this.driverFor, ws, async (driver, dws) => {
            result.observed++;
            return driftOf(ws, await driver.find(dws));
          });
          if (drift.kind === 'none') continue;
          result.drifted++;
          await this.reconcile(ws.id);
        } catch (err) {
          result.failed++;
          result.failures.push({ workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    return result;
  }
}
