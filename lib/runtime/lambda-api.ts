import type { LambdaSettings } from '../settings';
import type { GetSecretValue } from '../secrets';
import { buildApiServices, type ApiServices } from './api-services';
import { lambdaOptions } from './lambda-options';
import type { Log } from './services';

/** The api function's services: what requests need, none of the background workers. */
export interface LambdaApiServices extends ApiServices {
  settings: LambdaSettings;
}

/**
 * Wires the api function (functions/api.ts) from its environment. There is no in-process kick: the
 * table stream triggers the reconciler function and `?wait=` polls the store.
 */
export function lambdaApiServices(env: Record<string, string | undefined>, o: { getSecretValue?: GetSecretValue; log?: Log } = {}): LambdaApiServices {
  const { settings, options } = lambdaOptions('api', env, o);
  return { ...buildApiServices(options), settings };
}
