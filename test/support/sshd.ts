import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A private OpenSSH server on 127.0.0.1 with a test-only host key and one authorised test key. */
export interface TestSshd {
  port: number;
  /** `ssh://root@127.0.0.1:<port>` */
  url: string;
  dir: string;
  /** The client's private key file (give it as `file:<path>`). */
  clientKeyFile: string;
  /** The host's real known_hosts line (`[127.0.0.1]:port ssh-ed25519 …`). */
  knownHostsLine: string;
  /** A known_hosts line for the same name with a key the host does not have. */
  wrongKnownHostsLine: string;
  /** The SHA256 fingerprint of the host key, as ssh-keygen prints it. */
  hostFingerprint: string;
  /** Accepted logins so far (from sshd's log). */
  logins(): number;
  /** Disconnects so far (from sshd's log). */
  disconnects(): number;
  close(): Promise<void>;
}

const need = (file: string, pkg: string) => {
  if (!existsSync(file)) throw new Error(`the SSH engine tests need ${file}: apt-get install -y --no-install-recommends ${pkg} (test/support/provision.ts lists it)`);
};

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'workbay-test', '-f', file], { stdio: 'ignore' });
const pub = (file: string) => readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

/** Starts `sshd -D` with its own config, keys and log under /tmp; as root, logging in as root. */
export async function startSshd(): Promise<TestSshd> {
  need('/usr/sbin/sshd', 'openssh-server');
  need('/usr/bin/ssh-keygen', 'openssh-client');
  const dir = mkdtempSync('/tmp/workbay-sshd-');
  const hostKey = join(dir, 'host_ed25519');
  const clientKeyFile = join(dir, 'client_ed25519');
  const rogue = join(dir, 'rogue_ed25519');
  for (const f of [hostKey, clientKeyFile, rogue]) keygen(f);
  writeFileSync(join(dir, 'authorized_keys'), `${pub(clientKeyFile)}\n`);
  const port = await freePort();
  const log = join(dir, 'sshd.log');
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${hostKey}`, `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`, 'PermitRootLogin prohibit-password', 'PubkeyAuthentication yes',
    'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no',
    'AllowStreamLocalForwarding yes', 'AllowAgentForwarding no', 'X11Forwarding no',
    'LogLevel VERBOSE', 'MaxStartups 50',
  ].join('\n') + '\n');
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true });
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-f', join(dir, 'sshd_config'), '-E', log], { stdio: 'ignore', detached: true });
  const name = `[127.0.0.1]:${port}`;
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(/\s+/)[1]!;
  const read = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
  for (let i = 0; !/Server listening on 127\.0\.0\.1/.test(read()); i++) {
    if (child.exitCode !== null || i > 60) {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${read()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    port, url: `ssh://root@127.0.0.1:${port}`, dir, clientKeyFile,
    knownHostsLine: `${name} ${pub(hostKey)}`, wrongKnownHostsLine: `${name} ${pub(rogue)}`, hostFingerprint: fingerprint,
    logins: () => (read().match(/Accepted publickey/g) ?? []).length,
    disconnects: () => (read().match(/Received disconnect|Disconnected from/g) ?? []).length,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
