import Docker from 'dockerode';
import { WorkbayError } from '../../errors';

/** Where and how to reach a Docker engine, with TLS material already resolved from secret references. */
export interface DockerTarget {
  /** `unix:///path`, `tcp://host:port` or `ssh://user@host`. */
  host: string;
  tls?: { ca: string; cert: string; key: string };
  /** The docker-compatible CLI named in connection info (`docker`, `podman`, a path). */
  cliPath: string;
  /** Whether installing the engine on an ssh:// host is allowed (DevPod's `install`). */
  install: boolean;
}

/** Builds a dockerode client for the target; refuses hosts it cannot reach safely. */
export function dockerClient(t: DockerTarget): Docker {
  const url = parseHost(t.host);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'https:' || url.protocol === 'http:') {
    const port = Number(url.port || (t.tls ? 2376 : 2375));
    if (t.tls) return new Docker({ host: url.hostname, port, protocol: 'https', ca: t.tls.ca, cert: t.tls.cert, key: t.tls.key });
    return new Docker({ host: url.hostname, port, protocol: 'http' });
  }
  if (url.protocol === 'ssh:') {
    throw new WorkbayError('driver.failed', 'ssh:// Docker hosts are not supported yet; use tcp:// with TLS', {
      errors: [{ field: 'agent.docker.env.DOCKER_HOST', message: 'ssh transport without host key verification is unsafe; expose the engine over TLS (tcp://host:2376)' }],
    });
  }
  throw new WorkbayError('config.invalid', `unsupported DOCKER_HOST scheme "${url.protocol}"`, {
    errors: [{ field: 'agent.docker.env.DOCKER_HOST', message: 'use unix://, tcp:// or ssh://' }],
  });
}

function parseHost(host: string): URL {
  try {
    return new URL(host);
  } catch {
    throw new WorkbayError('config.invalid', `DOCKER_HOST "${host}" is not a URL`, {
      errors: [{ field: 'agent.docker.env.DOCKER_HOST', message: 'expected unix:///var/run/docker.sock or tcp://host:2376' }],
    });
  }
}

/** Environment a person needs beside the CLI to reach the same engine (no secret material). */
export function cliEnv(t: DockerTarget): Record<string, string> {
  return t.tls ? { DOCKER_HOST: t.host, DOCKER_TLS_VERIFY: '1' } : { DOCKER_HOST: t.host };
}
