import { Agent } from 'node:http';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { WorkbayError } from '../../errors';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../timings';
import { expectedKeyTypes, knownHostsName, parseKnownHosts, verifyHostKey, type HostKeyVerdict } from './ssh-known-hosts';

/** An `ssh://` engine with its material already resolved from secret references. */
export interface SshEngine {
  user: string;
  host: string;
  port: number;
  /** The private key (OpenSSH or PEM); never logged, never in an error. */
  privateKey: string;
  passphrase?: string;
  /** known_hosts lines or bare public key lines; empty means every key is unknown (fail closed). */
  knownHosts: string;
  /** The engine's unix socket on the SSH host. */
  socket: string;
  /** Handshake bound and keepalive interval (default: DEFAULT_DRIVER_TIMINGS). */
  timings?: Pick<DriverTimings, 'sshReadyTimeoutMs' | 'sshKeepaliveMs'>;
}

const FIELD = 'agent.docker.env.DOCKER_SSH_KNOWN_HOSTS';
// ssh2 negotiates a host key algorithm before it shows us the key: prefer the ones we can verify.
const ALGORITHMS: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
/** Host key algorithms ssh2 can negotiate; a known_hosts type outside them (e.g. sk-…) is verified, not asked for. */
const SSH2_HOST_KEYS: ReadonlySet<string> = new Set<ServerHostKeyAlgorithm>([
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-dss',
]);
const isSsh2HostKey = (t: string): t is ServerHostKeyAlgorithm => SSH2_HOST_KEYS.has(t);

/** `user@host:port`, for messages. */
export const sshName = (e: SshEngine) => `${e.user}@${e.host}:${e.port}`;

function hostKeyError(e: SshEngine, v: Exclude<HostKeyVerdict, { ok: true }>): WorkbayError {
  const what = { unknown: 'is not in DOCKER_SSH_KNOWN_HOSTS', changed: 'does not match the key DOCKER_SSH_KNOWN_HOSTS lists for it (changed, or not the host you expect)', revoked: 'is marked @revoked' }[v.reason];
  const hint = v.reason === 'revoked' ? ''
    : v.reason === 'changed' ? `; only if the host's key really changed (checked out of band), replace its line in DOCKER_SSH_KNOWN_HOSTS with: ${v.line}`
      : `; if you have checked out of band that this is the host's key, add this line to DOCKER_SSH_KNOWN_HOSTS: ${v.line}`;
  return new WorkbayError('driver.failed', `SSH host key verification failed for ${e.host}:${e.port}: it presented ${v.type} ${v.fingerprint}, which ${what}. Nothing was done on that host${hint}`, {
    errors: [{ field: FIELD, message: `host key ${v.fingerprint} of ${e.host}:${e.port} ${what}` }],
  });
}

/** Why the SSH connection failed, in words; never key material (ssh2's messages carry none). */
function connectError(e: SshEngine, err: Error & { level?: string; code?: string }): WorkbayError {
  if (err.level === 'client-authentication') {
    return new WorkbayError('driver.failed', `SSH authentication as ${e.user} on ${e.host}:${e.port} failed: the server did not accept the DOCKER_SSH_KEY key`, { cause: err });
  }
  if (/privateKey|passphrase|Unsupported key format|Malformed/i.test(err.message)) {
    return new WorkbayError('config.invalid', 'DOCKER_SSH_KEY could not be used as a private key (OpenSSH or PEM format; check DOCKER_SSH_KEY_PASSPHRASE)', {
      errors: [{ field: 'agent.docker.env.DOCKER_SSH_KEY', message: 'not a usable private key (content not shown)' }],
    });
  }
  return new WorkbayError('driver.unreachable', `SSH connection to ${sshName(e)} failed: ${err.code ?? err.message}`, { cause: err });
}

/**
 * One SSH connection per driver, opened on first use and shared by every engine request: each HTTP
 * request to the engine is one `direct-streamlocal` channel to its socket, so no `docker` binary is
 * needed on either side, and sshd's MaxSessions does not cap concurrent requests. No agent, no agent
 * forwarding, no keyboard-interactive; the host key is checked against `knownHosts` before anything
 * is sent.
 */
export class SshConnection {
  private client?: Promise<Client>;
  private closed = false;

  constructor(readonly engine: SshEngine) {}

  /** The connected client; reconnects once after the connection dropped. */
  connect(): Promise<Client> {
    if (this.closed) return Promise.reject(new WorkbayError('driver.failed', 'the SSH connection of this driver was closed'));
    if (this.client) return this.client;
    const opening: Promise<Client> = this.open(() => { if (this.client === opening) this.client = undefined; });
    this.client = opening;
    return opening;
  }

  private open(onClose: () => void): Promise<Client> {
    const e = this.engine;
    const known = parseKnownHosts(e.knownHosts);
    const name = knownHostsName(e.host, e.port);
    const types = expectedKeyTypes(known, name).flatMap((t) => ALGORITHMS[t] ?? [t]).filter(isSsh2HostKey);
    let refused: WorkbayError | undefined;
    const config: ConnectConfig = {
      host: e.host, port: e.port, username: e.user, privateKey: e.privateKey,
      ...(e.passphrase ? { passphrase: e.passphrase } : {}),
      agentForward: false, tryKeyboard: false, readyTimeout: (e.timings ?? DEFAULT_DRIVER_TIMINGS).sshReadyTimeoutMs, keepaliveInterval: (e.timings ?? DEFAULT_DRIVER_TIMINGS).sshKeepaliveMs,
      ...(types.length ? { algorithms: { serverHostKey: types } } : {}),
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(known, name, key);
        if (!verdict.ok) refused = hostKeyError(e, verdict);
        return verdict.ok;
      },
    };
    return new Promise((resolve, reject) => {
      const c = new Client();
      let ready = false;
      c.once('ready', () => { ready = true; resolve(c); });
      // Kept for the connection's whole life: an 'error' without a listener would end the process.
      c.on('error', (err) => {
        if (!ready) {
          onClose();
          reject(refused ?? connectError(e, err));
        }
      });
      c.once('close', onClose);
      try {
        c.connect(config);
      } catch (err) {
        onClose();
        reject(connectError(e, err as Error));
      }
    });
  }

  /** A byte stream to the engine's socket on the SSH host. */
  async openSocket(): Promise<ClientChannel> {
    const c = await this.connect();
    return new Promise((resolve, reject) => {
      c.openssh_forwardOutStreamLocal(this.engine.socket, (err, stream) => {
        if (!err) return resolve(stream);
        const prohibited = (err as { reason?: number }).reason === 1;
        reject(new WorkbayError(prohibited ? 'driver.failed' : 'driver.unreachable', prohibited
          ? `the SSH server on ${this.engine.host}:${this.engine.port} refuses to forward to ${this.engine.socket} (AllowStreamLocalForwarding is off)`
          // sshd answers a forwarding it does not allow like a missing socket, so both are named.
          : `no container engine (Docker or Podman) answers at ${this.engine.socket} on ${sshName(this.engine)} (or its sshd refuses stream-local forwarding: AllowTcpForwarding/AllowStreamLocalForwarding no)`, { cause: err }));
      });
    });
  }

  /** An http.Agent whose every connection is a channel to the engine socket (for dockerode's `agent`). */
  httpAgent(): Agent {
    const agent = new Agent({ keepAlive: false });
    (agent as unknown as { createConnection: unknown }).createConnection = (_opts: unknown, done: (err: Error | null, s?: Duplex) => void) => {
      this.openSocket().then((ch) => done(null, asSocket(ch)), (err) => done(err as Error));
      return undefined;
    };
    return agent;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = await this.client?.catch(() => undefined);
    this.client = undefined;
    c?.end();
  }
}

/** Node's http client calls a few net.Socket methods a channel lacks; they have no meaning on one. */
function asSocket(ch: ClientChannel): Duplex {
  const s = ch as unknown as Record<string, unknown>;
  for (const m of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => ch;
  }
  return ch;
}
