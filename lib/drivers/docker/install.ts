import { WorkbayError } from '../../errors';
import type { Progress } from '../driver';
import { sshName, type SshConnection } from './ssh-connection';

/** How to install an engine on an SSH host that has none (DevPod's `install`). */
export interface InstallSettings {
  /** Run by the SSH user's shell on the host. */
  command: string;
  timeoutMs: number;
}

/**
 * The default: Docker's official convenience script (what DevPod runs), as root or through
 * passwordless sudo. Air-gapped sites set DOCKER_INSTALL_COMMAND to a mirror or their own script.
 */
export const DEFAULT_INSTALL_COMMAND =
  "sh -c 'set -e; s=; [ \"$(id -u)\" = 0 ] || s=\"sudo -n\"; curl -fsSL https://get.docker.com -o /tmp/workbay-get-docker.sh; $s sh /tmp/workbay-get-docker.sh; rm -f /tmp/workbay-get-docker.sh'";
export const DEFAULT_INSTALL_TIMEOUT_MS = 600_000;
const MAX_PROGRESS_LINES = 200;

// One install per host at a time in this process: concurrent creates on a fresh host wait for it.
const inFlight = new Map<string, Promise<void>>();

/** Runs `command` on the SSH host; resolves with its exit code, streaming its output as progress. */
function run(conn: SshConnection, s: InstallSettings, progress: Progress, tail: string[]): Promise<number> {
  return conn.connect().then((c) => new Promise<number>((resolve, reject) => {
    c.exec(s.command, { pty: false }, (err, stream) => {
      if (err) return reject(new WorkbayError('driver.unreachable', `cannot run the install command on ${sshName(conn.engine)}: ${err.message}`, { cause: err }));
      let shown = 0;
      const timer = setTimeout(() => {
        stream.signal('KILL');
        stream.close();
        reject(new WorkbayError('driver.failed', `the engine install command on ${conn.engine.host} did not finish within ${Math.round(s.timeoutMs / 1000)} s (DOCKER_INSTALL_TIMEOUT); last output: ${tail.slice(-5).join(' | ')}`));
      }, s.timeoutMs);
      let partial = '';
      const onData = (d: Buffer) => {
        const lines = `${partial}${d.toString('utf8')}`.split('\n');
        partial = lines.pop() ?? '';
        for (const l of lines.map((x) => x.trimEnd()).filter(Boolean)) {
          tail.push(l);
          if (tail.length > 20) tail.shift();
          if (shown++ < MAX_PROGRESS_LINES) progress({ step: 'create', message: `install: ${l.slice(0, 500)}` });
        }
      };
      stream.on('data', onData);
      stream.stderr.on('data', onData);
      stream.once('close', (code: number | null) => {
        clearTimeout(timer);
        resolve(code ?? 255);
      });
    });
  }));
}

/** Waits until the engine answers on the host's socket, up to `ms`. */
async function waitForEngine(ping: () => Promise<unknown>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (await ping().then(() => true, () => false)) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Installs the engine on the SSH host once: runs the command with a timeout and progress events,
 * then proves the install by reaching the engine (`ping`). Concurrent callers for the same host in
 * this process share one run; a host whose engine answers by then is not installed again.
 */
export function installEngine(conn: SshConnection, s: InstallSettings, ping: () => Promise<unknown>, progress: Progress): Promise<void> {
  const key = `${sshName(conn.engine)}${conn.engine.socket}`;
  const running = inFlight.get(key);
  if (running) return running;
  const work = (async () => {
    const e = conn.engine;
    progress({ step: 'create', message: `no engine answers at ${e.socket} on ${e.host}; running the install command (timeout ${Math.round(s.timeoutMs / 1000)} s)` });
    const tail: string[] = [];
    const started = Date.now();
    const code = await run(conn, s, progress, tail);
    if (code !== 0) {
      throw new WorkbayError('driver.failed', `the engine install command on ${e.host} failed with exit code ${code}: ${tail.slice(-5).join(' | ') || 'no output'}`);
    }
    const left = Math.max(30_000, s.timeoutMs - (Date.now() - started));
    if (!(await waitForEngine(ping, left))) {
      throw new WorkbayError('driver.failed', `the engine install command on ${e.host} succeeded, but no engine answers at ${e.socket} afterwards (set DOCKER_SSH_SOCKET if it listens elsewhere)`);
    }
    progress({ step: 'create', message: `engine installed and reachable at ${e.socket} on ${e.host}` });
  })().finally(() => inFlight.delete(key));
  inFlight.set(key, work);
  return work;
}
