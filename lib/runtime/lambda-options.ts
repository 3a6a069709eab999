import { ulid } from 'ulid';
import { readLambdaSettings, type LambdaSettings } from '../settings';
import { LOCAL_CREDENTIALS, openStore } from '../store';
import { awsSecrets, secretsManagerClient, type GetSecretValue } from '../secrets';
import { readWebhookSettings } from '../webhooks/settings';
import type { Log, ServiceOptions } from './services';

/** The Lambda functions of the AWS deployment (DESIGN §8). */
export type LambdaFunction = 'api' | 'sweeper' | 'reconciler';

/** A JSON line per entry on stdout; Lambda forwards stdout to CloudWatch Logs as is. */
export const jsonLog: Log = (e) => process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);

/**
 * What a Lambda function wires its services from: settings (zod, once), the store on the
 * deployment's table, `aws-sm:` secrets under the deployment's prefix. `getSecretValue` is for
 * tests; by default the SDK client is loaded on the first `aws-sm:` use.
 */
export function lambdaOptions(fn: LambdaFunction, env: Record<string, string | undefined>, o: { getSecretValue?: GetSecretValue; log?: Log } = {}): { settings: LambdaSettings; options: ServiceOptions } {
  const settings = readLambdaSettings(env);
  const store = openStore({
    tableName: settings.table, region: settings.region,
    // A local endpoint gets throwaway credentials, so the role's credentials are only ever sent to AWS.
    ...(settings.dynamodbEndpoint ? { endpoint: settings.dynamodbEndpoint, credentials: LOCAL_CREDENTIALS } : {}),
  });
  const secrets = awsSecrets({ prefix: settings.secretPrefix, getSecretValue: o.getSecretValue ?? secretsManagerClient(settings.region) });
  return {
    settings,
    options: {
      store, log: o.log ?? jsonLog, workerId: `lambda-${fn}-${ulid()}`, idleWarningSeconds: settings.idleWarningSeconds,
      webhooks: readWebhookSettings(env, 'aws'),
      driverRuntime: {
        docker: { defaultHost: settings.dockerHost, helper: { image: settings.helperImage, network: settings.helperNetwork }, secrets },
        kubernetes: { defaultKubeconfigPath: undefined, secrets },
        timings: settings.driverTimings,
      },
    },
  };
}
