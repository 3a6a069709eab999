import { posix } from 'node:path';
import type { DockerAgent } from '../../config';
import { WorkbayError } from '../../errors';
import type { SecretResolver } from '../../secrets';
import { gitCloneOptions, type Policy } from '../../policy';
import type { UploadReader } from '../../uploads';
import { registryCredentials } from '../../features/credentials';
import { DockerDriver } from './docker-driver';
import type { HelperSettings } from './source';
import { isPodmanPath, PODMAN_ROOTFUL_HOST } from './podman';
import { resolveSshSettings } from './ssh-settings';
import type { DriverTimings } from '../timings';

export { DockerDriver, type DockerDriverOptions } from './docker-driver';
export type { DockerTarget } from './target';
export { isPodmanPath, podmanDefaultHost } from './podman';
export type { HelperSettings } from './source';

/** Process-wide defaults for Docker providers (embedded mode: the local engine). */
export interface DockerRuntime {
  /** Used when a provider leaves DOCKER_HOST empty; unset on AWS, where there is no local engine. */
  defaultHost?: string;
  /** Podman's socket for providers whose `path` is podman and DOCKER_HOST empty (see podmanDefaultHost). */
  podmanHost?: string;
  helper: HelperSettings;
  secrets: SecretResolver;
  /** Features may come from loopback registries (embedded: WORKBAY_ALLOW_LOOPBACK_FEATURES=true). */
  allowLoopbackFeatures?: boolean;
  /** Reads folder uploads (`upload` sources); absent where the control plane keeps none. */
  uploads?: UploadReader;
  /** Timeouts and retry counts (createDriver passes the process's; absent = the defaults). */
  timings?: DriverTimings;
}

/**
 * Builds a Docker driver from a provider's resolved `agent.docker`. TLS material comes from
 * `DOCKER_CERT_PATH` (ca.pem, cert.pem, key.pem, as the docker CLI reads it) or from the secret
 * references `DOCKER_TLS_CA`, `DOCKER_TLS_CERT`, `DOCKER_TLS_KEY`. An `ssh://` host takes its key and host
 * keys from the DOCKER_SSH_* keys (ssh-settings.ts). With `path: podman` and no DOCKER_HOST the engine is
 * Podman's socket (`rt.podmanHost`, else the rootful one).
 */
export async function createDockerDriver(agent: DockerAgent, rt: DockerRuntime, policy?: Policy): Promise<DockerDriver> {
  const env = agent.env;
  const host = env.DOCKER_HOST || (isPodmanPath(agent.path) ? rt.podmanHost ?? PODMAN_ROOTFUL_HOST : rt.defaultHost);
  const field = (k: string) => `agent.docker.env.${k}`;
  if (!host) {
    throw new WorkbayError('config.invalid', 'this Docker provider names no engine and the control plane has no default one', {
      errors: [{ field: field('DOCKER_HOST'), message: 'set DOCKER_HOST to the engine, e.g. tcp://docker.example.com:2376 with TLS material from aws-sm: references' }],
    });
  }
  let tls: { ca: string; cert: string; key: string } | undefined;
  if (env.DOCKER_TLS_CA || env.DOCKER_TLS_CERT || env.DOCKER_TLS_KEY) {
    tls = {
      ca: await rt.secrets(env.DOCKER_TLS_CA ?? '', field('DOCKER_TLS_CA')),
      cert: await rt.secrets(env.DOCKER_TLS_CERT ?? '', field('DOCKER_TLS_CERT')),
      key: await rt.secrets(env.DOCKER_TLS_KEY ?? '', field('DOCKER_TLS_KEY')),
    };
  } else if (env.DOCKER_CERT_PATH) {
    const file = (name: string) => rt.secrets(`file:${posix.join(env.DOCKER_CERT_PATH!, name)}`, field('DOCKER_CERT_PATH'));
    tls = { ca: await file('ca.pem'), cert: await file('cert.pem'), key: await file('key.pem') };
  }
  const ssh = host.startsWith('ssh://') ? await resolveSshSettings(env, rt.secrets, agent.path) : undefined;
  return new DockerDriver({ host, tls, ...(ssh ? { ssh } : {}), cliPath: agent.path, install: agent.install, helper: { ...rt.helper, ...(rt.uploads ? { uploads: rt.uploads } : {}), gitOptions: gitCloneOptions(policy) }, ...(policy ? { policy } : {}), ...(rt.allowLoopbackFeatures ? { allowLoopbackFeatures: true } : {}), ...(rt.timings ? { timings: rt.timings } : {}), ...(policy?.registries ? { registryCredentials: registryCredentials(policy.registries, rt.secrets) } : {}) });
}
