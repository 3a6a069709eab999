import type { LambdaSettings } from '../settings';
import type { GetSecretValue } from '../secrets';
import type { CollectResult, ResyncResult, SweepResult } from '../workspaces';
import { buildServices, type Log, type Services } from './services';
import type { DispatchResult, WebhookDispatcher } from '../webhooks';
import { lambdaOptions, type LambdaFunction } from './lambda-options';

export { jsonLog, type LambdaFunction } from './lambda-options';

/** Services of one Lambda container, built once at cold start. */
export interface LambdaServices extends Services {
  settings: LambdaSettings;
}

/**
 * Wires a Lambda function from its environment (lambdaOptions) with every service. There is no
 * in-process kick: the table stream triggers the reconciler function and `?wait=` polls the store.
 * The api function wires only the request-serving half (lambdaApiServices).
 */
export function lambdaServices(fn: LambdaFunction, env: Record<string, string | undefined>, o: { getSecretValue?: GetSecretValue; log?: Log } = {}): LambdaServices {
  const { settings, options } = lambdaOptions(fn, env, o);
  return { ...buildServices(options), settings };
}

/** The EventBridge event of a `schedule:` trigger. */
export interface ScheduledEvent {
  version?: string;
  id?: string;
  'detail-type'?: string;
  source?: string;
  time?: string;
  resources?: string[];
}

/** What one scheduled run did. */
export interface ScheduledRun {
  sweep?: SweepResult;
  /** Workspaces with stuck work picked up again (their lease had expired). */
  redriven?: number;
  /** The drift resync's page of settled workspaces. */
  resync?: ResyncResult;
  /** The orphan collection, when this run did one (at most every ORPHAN_EVERY_MS per container). */
  orphans?: CollectResult;
  /** Outgoing events fanned out and retries sent (first attempts usually go out from the stream function). */
  webhooks?: DispatchResult;
}

/** Listing every engine each minute would cost more than orphans do; once in ten minutes is enough. */
const ORPHAN_EVERY_MS = 10 * 60_000;
let lastCollect = 0;

/**
 * One scheduled run on AWS: an inactivity sweep, a re-drive of work whose lease expired (a function
 * killed halfway, a retry whose backoff is over, a stream batch that was given up on), a drift resync.
 * Each half runs even when the other fails; a failure is thrown afterwards so it counts as an error.
 */
export async function scheduledRun(
  s: Pick<Services, 'sweep' | 'reconciler' | 'resync' | 'collectOrphans' | 'log'> & { dispatcher?: Pick<WebhookDispatcher, 'run'> },
  event: ScheduledEvent,
): Promise<ScheduledRun> {
  const run: ScheduledRun = {};
  const errors: string[] = [];
  try {
    run.sweep = await s.sweep();
  } catch (err) {
    errors.push(`sweep: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    run.redriven = await s.reconciler.redrive();
  } catch (err) {
    errors.push(`re-drive: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    run.resync = await s.resync();
  } catch (err) {
    errors.push(`resync: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    if (s.dispatcher) run.webhooks = await s.dispatcher.run();
  } catch (err) {
    errors.push(`webhooks: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (Date.now() - lastCollect >= ORPHAN_EVERY_MS) {
    lastCollect = Date.now();
    try {
      run.orphans = await s.collectOrphans();
    } catch (err) {
      errors.push(`orphans: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const { failures, ...counts } = run.sweep ?? { failures: [] };
  s.log?.({ level: errors.length ? 'error' : 'info', msg: 'scheduled run', eventId: event.id, ...counts, sweepFailures: failures, redriven: run.redriven, resync: run.resync, orphans: run.orphans, webhooks: run.webhooks, errors });
  if (errors.length) throw new Error(`scheduled run failed: ${errors.join('; ')}`);
  return run;
}
