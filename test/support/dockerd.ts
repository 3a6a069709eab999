import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where the test engine lives when the tests start it themselves. */
export const TEST_RUN_DIR = '/tmp/workbay-test-dockerd';
const SOCKET = `unix://${TEST_RUN_DIR}/docker.sock`;

function ping(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: new URL(host).pathname, path: '/_ping', timeout: 3000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

/**
 * Returns a reachable test Docker engine: WORKBAY_TEST_DOCKER_HOST when set, else a private dockerd
 * this function starts (root, Debian's docker.io). Never a silent skip: without an engine it throws
 * with what to install.
 */
export async function ensureTestDocker(): Promise<string> {
  const given = process.env.WORKBAY_TEST_DOCKER_HOST;
  if (given) {
    if (!(await ping(given))) throw new Error(`WORKBAY_TEST_DOCKER_HOST=${given} does not answer /_ping`);
    return given;
  }
  if (await ping(SOCKET)) return SOCKET;
  if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) {
    throw new Error('the Docker-backed tests need a Docker engine: apt-get install -y docker.io busybox-static git (then rerun), or set WORKBAY_TEST_DOCKER_HOST');
  }
  mkdirSync(TEST_RUN_DIR, { recursive: true });
  const child = spawn('dockerd', [
    '--host', SOCKET, '--data-root', `${TEST_RUN_DIR}/data`, '--exec-root', `${TEST_RUN_DIR}/exec`,
    '--pidfile', `${TEST_RUN_DIR}/dockerd.pid`, '--bridge=none', '--iptables=false', '--ip6tables=false',
  ], { detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
  child.unref();
  for (let i = 0; i < 120; i++) {
    if (await ping(SOCKET)) return SOCKET;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dockerd did not come up on ${SOCKET}`);
}

/** Builds the local test images (busybox, git) on the engine if missing. */
export function ensureTestImages(host: string): void {
  const script = fileURLToPath(new URL('./build-images.sh', import.meta.url));
  execFileSync('bash', [script], { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 300_000 });
}

/** The pid of a dockerd the tests started, if any. */
export function testDockerPid(): number | undefined {
  const f = `${TEST_RUN_DIR}/dockerd.pid`;
  return existsSync(f) ? Number(readFileSync(f, 'utf8')) : undefined;
}
