import type { Reconciler } from '../workspaces';

/** Handle on the in-process timers of embedded mode. */
export interface Timers { stop(): void }

/**
 * Embedded mode's stand-in for the table stream and the scheduled function: re-drives in-flight work
 * on an interval. The first pass ignores leases: one embedded process owns its data dir (LevelDB
 * locks it), so any lease found at start belongs to a process that died.
 */
export function startTimers(reconciler: Reconciler, intervalSeconds: number, log: (e: Record<string, unknown>) => void): Timers {
  let busy = false;
  let first = true;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await reconciler.redrive({ ignoreLeases: first });
      first = false;
    } catch (err) {
      log({ level: 'error', msg: 're-drive failed', error: String(err) });
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalSeconds * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
