import { ulid } from 'ulid';
import { readLambdaSettings, type LambdaSettings } from '../settings';
import { LOCAL_CREDENTIALS, openStore } from '../store';
import { awsSecrets, secretsManagerClient, type GetSecretValue } from '../secrets';
import type { CollectResult, ResyncResult, SweepResult } from '../workspaces';
import { buildServices, type Log, type Services } from './services';
import { readWebhookSettings, type DispatchResult, type WebhookDispatcher } from '../webhooks';

/** The Lambda functions of the AWS deployment (DESIGN §8). */
export type LambdaFunction = 'api' | 'sweeper' | 'reconciler';

/** Services of one Lambda container, built once at cold start. */
export interface LambdaServices extends Services {
  settings: LambdaSettings;
}

/** A JSON line per entry on stdout; Lambda forwards stdout to CloudWatch Logs as is. */
export const jsonLog: Log = (e) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);

/**
 * Wires a Lambda function from its environment: settings (zod, once), the store on the deployment's
 * table, `aws-sm:` secrets under the deployment's prefix, and the shared services. There is no
 * in-process kick: the table stream triggers the reconciler function and `?wait=` polls the store.
 * `getSecretValue` is for tests; by default the SDK client is loaded on the first `aws-sm:` use.
 */
export function lambdaServices(fn: LambdaFunction, env: Record<string, string | undefined>, o: { getSecretValue?: GetSecretValue; log?: Log } = {}): LambdaServices {
  const settings = readLambdaSettings(env);
  const log = o.log ?? jsonLog;
  const store = openStore({
    tableName: settings.table, region: settings.region,
    // A local endpoint gets throwaway credentials, so the role's credentials are only ever sent to AWS.
    ...(settings.dynamodbEndpoint ? { endpoint: settings.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const secrets = awsSecrets({ prefix: settings.secretPrefix, getSecretValue: o.getSecretValue ?? secretsManagerClient(settings.region) });
  const services = buildServices({
    store, log, workerId: `lambda-${fn}-${ulid()}`, idleWarningSeconds: settings.idleWarningSeconds,
    webhooks: readWebhookSettings(env, 'aws'),
    driverRuntime: {
      docker: { defaultHost: settings.dockerHost, helper: { image: settings.helperImage, network: settings.helperNetwork }, secrets },
      kubernetes: { defaultKubeconfigPath: undefined, secrets },
      timings: settings.driverTimings,
    },
  });
  return { ...services, settings };
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
