import type { ResolvedAgent } from '../config';
import { WorkbayError } from '../errors';
import type { Driver } from './driver';
import type { DockerRuntime } from './docker';
import type { SecretResolver } from '../secrets';
import type { Policy } from '../policy';
import type { UploadReader } from '../uploads';
import { driverTimings, type DriverTimings } from './timings';

export * from './driver';
export { resolveDevcontainer, type ResolvedDevcontainer } from './devcontainer';
export { DEFAULT_DRIVER_TIMINGS, driverTimings, type DriverTimings } from './timings';
export { MAX_LISTED_CONFIGS, LISTING_TIMEOUT_MS, type ConfigListing, type ListedConfig } from './config-search';

/** Process-wide defaults for Kubernetes providers. */
export interface KubernetesRuntime {
  /**
   * Kubeconfig used when a provider's `config` is empty, as the page says ("the default kube
   * config"): in embedded mode the server's KUBECONFIG or ~/.kube/config; on AWS there is none and an
   * empty `config` is a clear error (it must be a secret reference there).
   */
  defaultKubeconfigPath?: string;
  secrets: SecretResolver;
  /** Bound on one Kubernetes API call (default 30 s). */
  apiTimeoutMs?: number;
  /** Reads folder uploads (`upload` sources); absent where the control plane keeps none. */
  uploads?: UploadReader;
}

/** Everything process-wide a driver may need; built once by functions/. */
export interface DriverRuntime {
  docker: DockerRuntime;
  kubernetes: KubernetesRuntime;
  /** Timeouts and retry counts of every driver; absent ones are DEFAULT_DRIVER_TIMINGS. */
  timings?: Partial<DriverTimings>;
}

/** Creates a driver for a resolved provider; driver code is loaded only when first needed. */
export async function createDriver(agent: ResolvedAgent, rt: DriverRuntime, policy?: Policy): Promise<Driver> {
  const timings = driverTimings(rt.timings);
  if (agent.driver === 'docker') {
    const { createDockerDriver } = await import('./docker');
    return createDockerDriver(agent.docker, { ...rt.docker, timings }, policy);
  }
  if (agent.driver === 'kubernetes') {
    const { createKubernetesDriver } = await import('./kubernetes');
    return createKubernetesDriver(agent.kubernetes, { ...rt.kubernetes, gitImage: rt.docker.helper.image, allowLoopbackFeatures: rt.docker.allowLoopbackFeatures, timings }, policy);
  }
  throw new WorkbayError('driver.failed', `the ${agent.driver} driver is not available yet`);
}
