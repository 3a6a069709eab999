import Docker from 'dockerode';

/** A dockerode client for `unix:///path` or `tcp://host:port` (plain). */
export function dockerClient(dockerHost: string): Docker {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  throw new Error(`kube-sim: unsupported docker host ${dockerHost} (use unix:// or tcp://)`);
}
