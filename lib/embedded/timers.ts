import type { Reconciler } from '../workspaces';

/** Handle on the in-process timers of embedded mode. */
/** Handle on the in-process timers of embedded mode; `stop` resolves once no tick is running. */
export interface Timers { stop(): Promise<void> }

/** Runs `fn` every `seconds`, never two at once; failures are logged, not thrown. */
function every(seconds: number, name: string, fn: () => Promise<unknown>, log: (e: Record<string, unknown>) => void): () => Promise<void> {
  let busy: Promise<void> | undefined;
  const tick = () => {
    if (busy) return;
    busy = run();
  };
  const run = async () => {
    try {
      await fn();
    } catch (err) {
      log({ level: 'error', msg: `${name} failed`, error: err instanceof Error ? err.message : String(err) });
    } finally {
      busy = undefined;
    }
  };
  tick();
  const timer = setInterval(tick, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await busy;
  };
}

/**
 * Embedded mode's stand-ins for the table stream and the scheduled function: re-drive in-flight work,
 * sweep for idle workspaces and resync settled ones for drift on intervals. The first re-drive ignores leases: one embedded process
 * owns its data dir (LevelDB locks it), so any lease found at start belongs to a process that died.
 */
export function startTimers(
  t: { reconciler: Reconciler; sweep: () => Promise<unknown>; resync: () => Promise<unknown>; collect: () => Promise<unknown>;
    reconcileSeconds: number; sweepSeconds: number; resyncSeconds: number; collectSeconds: number;
    /** Outgoing-event delivery; the first run also retries what a dead process had claimed. */
    webhooks?: { run: (o: { ignoreLeases: boolean }) => Promise<unknown>; seconds: number };
  },
  log: (e: Record<string, unknown>) => void,
): Timers {
  let first = true;
  const stops = [
    every(t.reconcileSeconds, 're-drive', async () => {
      await t.reconciler.redrive({ ignoreLeases: first });
      first = false;
    }, log),
    every(t.sweepSeconds, 'inactivity sweep', t.sweep, log),
    every(t.resyncSeconds, 'drift resync', t.resync, log),
    every(t.collectSeconds, 'orphan collection', t.collect, log),
  ];
  let firstDispatch = true;
  if (t.webhooks) {
    const hooks = t.webhooks;
    stops.push(every(hooks.seconds, 'webhook delivery', async () => {
      await hooks.run({ ignoreLeases: firstDispatch });
      firstDispatch = false;
    }, log));
  }
  return { stop: async () => { await Promise.all(stops.map((s) => s())); } };
}
