import Docker from 'dockerode';
import { WorkbayError } from '../../errors';
import type { Progress } from '../driver';
import { installEngine, type InstallSettings } from './install';
import { attachPrefix } from './podman';
import { SshConnection, sshName, type SshEngine } from './ssh-connection';
import type { DriverTimings } from '../timings';

/** What an `ssh://` target needs beyond its URL, resolved from secret references. */
export interface SshSettings {
  privateKey: string;
  passphrase?: string;
  knownHosts: string;
  /** The engine's socket on the SSH host (DOCKER_SSH_SOCKET; default /var/run/docker.sock). */
  socket: string;
  installCommand: InstallSettings;
}

/** Where and how to reach a Docker engine, with TLS and SSH material already resolved from secret references. */
export interface DockerTarget {
  /** `unix:///path`, `tcp://host:port` or `ssh://user@host[:port]`. */
  host: string;
  tls?: { ca: string; cert: string; key: string };
  /** Required for `ssh://` hosts. */
  ssh?: SshSettings;
  /** The docker-compatible CLI named in connection info (`docker`, `podman`, a path). */
  cliPath: string;
  /** Whether installing the engine on an ssh:// host is allowed (DevPod's `install`). */
  install: boolean;
  /** Timeouts of the engine connection (default: DEFAULT_DRIVER_TIMINGS). */
  timings?: Pick<DriverTimings, 'sshReadyTimeoutMs' | 'sshKeepaliveMs'>;
}

/** A client on the target's engine and what it holds open. */
export interface EngineHandle {
  docker: Docker;
  /** Makes sure an engine answers, installing it on an ssh:// host when allowed; once per handle. */
  ready(progress: Progress): Promise<void>;
  close(): Promise<void>;
}

const FIELD = 'agent.docker.env.DOCKER_HOST';

/** Host, port and user of an `ssh://user@host[:port]` DOCKER_HOST. */
export function parseSshHost(host: string): { user: string; host: string; port: number } {
  const url = parseHost(host);
  if (url.protocol !== 'ssh:') throw new WorkbayError('config.invalid', `DOCKER_HOST "${host}" is not an ssh:// URL`, { errors: [{ field: FIELD, message: 'expected ssh://user@host[:port]' }] });
  if (!url.username || url.password) {
    throw new WorkbayError('config.invalid', 'an ssh:// DOCKER_HOST names its user and no password: ssh://user@host[:port]', { errors: [{ field: FIELD, message: 'expected ssh://user@host[:port]; the key comes from DOCKER_SSH_KEY' }] });
  }
  if (url.pathname && url.pathname !== '/') {
    throw new WorkbayError('config.invalid', 'an ssh:// DOCKER_HOST has no path; name the engine socket with DOCKER_SSH_SOCKET', { errors: [{ field: FIELD, message: 'expected ssh://user@host[:port]' }] });
  }
  return { user: decodeURIComponent(url.username), host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 22) };
}

/** Opens a client on the target's engine; refuses hosts it cannot reach safely. */
export function openEngine(t: DockerTarget): EngineHandle {
  const url = parseHost(t.host);
  if (url.protocol === 'ssh:') return sshEngine(t);
  const plain = (docker: Docker): EngineHandle => ({ docker, ready: async () => {}, close: async () => {} });
  if (url.protocol === 'unix:') return plain(new Docker({ socketPath: url.pathname }));
  if (url.protocol === 'tcp:' || url.protocol === 'https:' || url.protocol === 'http:') {
    const port = Number(url.port || (t.tls ? 2376 : 2375));
    if (t.tls) return plain(new Docker({ host: url.hostname, port, protocol: 'https', ca: t.tls.ca, cert: t.tls.cert, key: t.tls.key }));
    return plain(new Docker({ host: url.hostname, port, protocol: 'http' }));
  }
  throw new WorkbayError('config.invalid', `unsupported DOCKER_HOST scheme "${url.protocol}"`, {
    errors: [{ field: FIELD, message: 'use unix://, tcp:// or ssh://' }],
  });
}

function sshEngine(t: DockerTarget): EngineHandle {
  if (!t.ssh) {
    throw new WorkbayError('config.invalid', 'an ssh:// DOCKER_HOST needs DOCKER_SSH_KEY and DOCKER_SSH_KNOWN_HOSTS', { errors: [{ field: FIELD, message: 'set DOCKER_SSH_KEY (a secret reference) and DOCKER_SSH_KNOWN_HOSTS' }] });
  }
  const s = t.ssh;
  const engine: SshEngine = { ...parseSshHost(t.host), privateKey: s.privateKey, knownHosts: s.knownHosts, socket: s.socket, ...(s.passphrase ? { passphrase: s.passphrase } : {}), ...(t.timings ? { timings: t.timings } : {}) };
  const conn = new SshConnection(engine);
  // host/port are placeholders: the agent opens every connection as a channel over SSH.
  const docker = new Docker({ protocol: 'http', host: 'engine.ssh', port: 80, agent: conn.httpAgent() } as Docker.DockerOptions);
  let checked: Promise<void> | undefined;
  const check = async (progress: Progress) => {
    const reachable = await docker.ping().then(() => undefined, (err: unknown) => err);
    if (reachable === undefined) return;
    const missing = reachable instanceof WorkbayError && reachable.code === 'driver.unreachable' && (reachable.cause as { reason?: number } | undefined)?.reason === 2;
    if (!missing) throw reachable;
    if (!t.install) {
      throw new WorkbayError('driver.failed', `no container engine (Docker or Podman) answers at ${engine.socket} on ${sshName(engine)}, and the provider has install: false: install an engine there (or allow stream-local forwarding in its sshd), or set install: true to let workbay install it`, { cause: reachable });
    }
    await installEngine(conn, s.installCommand, () => docker.ping(), progress);
  };
  return {
    docker,
    ready: (progress) => {
      checked ??= check(progress).catch((err) => { checked = undefined; throw err; });
      return checked;
    },
    close: () => conn.close(),
  };
}

function parseHost(host: string): URL {
  try {
    return new URL(host);
  } catch {
    throw new WorkbayError('config.invalid', `DOCKER_HOST "${host}" is not a URL`, {
      errors: [{ field: FIELD, message: 'expected unix:///var/run/docker.sock, tcp://host:2376 or ssh://user@host' }],
    });
  }
}

/** Environment a person needs beside the CLI to reach the same engine (no secret material). */
export function cliEnv(t: DockerTarget): Record<string, string> {
  return t.tls ? { DOCKER_HOST: t.host, DOCKER_TLS_VERIFY: '1' } : { DOCKER_HOST: t.host };
}

/** The CLI argv prefix of the attach command: podman gets the engine as `--url`, it ignores DOCKER_HOST. */
export function cliPrefix(t: DockerTarget): string[] {
  return attachPrefix(t.cliPath, t.host, t.ssh?.socket);
}
