import type { Reconciler } from '../workspaces';

/** Handle on the in-process timers of embedded mode. */
export interface Timers { stop(): void }

/** Runs `fn` every `seconds`, never two at once; failures are logged, not thrown. */
function every(seconds: number, name: string, fn: () => Promise<unknown>, log: (e: Record<string, unknown>) => void): () => void {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      await fn();
    } catch (err) {
      log({ level: 'error', msg: `${name} failed`, error: err instanceof Error ? err.message : String(err) });
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Embedded mode's stand-ins for the table stream and the scheduled function: re-drive in-flight work
 * and sweep for idle workspaces on intervals. The first re-drive ignores leases: one embedded process
 * owns its data dir (LevelDB locks it), so any lease found at start belongs to a process that died.
 */
export function startTimers(
  t: { reconciler: Reconciler; sweep: () => Promise<unknown>; reconcileSeconds: number; sweepSeconds: number },
  log: (e: Record<string, unknown>) => void,
): Timers {
  let first = true;
  const stops = [
    every(t.reconcileSeconds, 're-drive', async () => {
      await t.reconciler.redrive({ ignoreLeases: first });
      first = false;
    }, log),
    every(t.sweepSeconds, 'inactivity sweep', t.sweep, log),
  ];
  return { stop: () => stops.forEach((s) => s()) };
}
