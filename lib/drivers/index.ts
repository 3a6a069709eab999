import type { ResolvedAgent } from '../config';
import { WorkbayError } from '../errors';
import type { Driver } from './driver';
import type { DockerRuntime } from './docker';

export * from './driver';
export { resolveDevcontainer, type ResolvedDevcontainer } from './devcontainer';

/** Everything process-wide a driver may need; built once by functions/. */
export interface DriverRuntime {
  docker: DockerRuntime;
}

/** Creates a driver for a resolved provider; driver code is loaded only when first needed. */
export async function createDriver(agent: ResolvedAgent, rt: DriverRuntime): Promise<Driver> {
  if (agent.driver === 'docker') {
    const { createDockerDriver } = await import('./docker');
    return createDockerDriver(agent.docker, rt.docker);
  }
  throw new WorkbayError('driver.failed', `the ${agent.driver} driver is not available yet`);
}
