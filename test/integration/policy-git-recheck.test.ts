import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { loadProvider } from '../../lib/config';
import type { DriverWorkspace } from '../../lib/drivers';
import { createDockerDriver } from '../../lib/drivers/docker';
import { isWorkbayError } from '../../lib/errors';
import { DEFAULT_POLICY, type Policy } from '../../lib/policy';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';

/**
 * Two holes closed in policy.gitSources: a create the reconciler retries after an admin tightened
 * the list is judged again before the engine clones; and with the list set, git follows no HTTP
 * redirect (an allowed host answering 301 cannot send the clone elsewhere).
 */
const docker = testDocker();
const GIT_HTTP_IMAGE = 'workbay-test/git-http:local';
let cp: TestControlPlane;
let token: string;
/** A TCP port that counts every connection: the repository "lives" there, so any clone attempt shows. */
let canary: Server;
let canaryHits = 0;
let canaryPort = 0;
const work = mkdtempSync(join(tmpdir(), 'workbay-git-recheck-'));

beforeAll(async () => {
  cp = await startControlPlane();
  token = await cp.tokenFor('rita');
  canary = createServer((sock) => { canaryHits++; sock.destroy(); });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryPort = (canary.address() as { port: number }).port;
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  canary?.close();
  rmSync(work, { recursive: true, force: true });
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const waitFor = async (id: string, pred: (ws: any) => boolean, ms = 60_000) => {
  const until = Date.now() + ms;
  for (;;) {
    const ws = (await as('GET', `/v1/workspaces/${id}`)).body;
    if (pred(ws) || Date.now() > until) return ws;
    await new Promise((r) => setTimeout(r, 100));
  }
};
const eventsOf = async (id: string) => (await as('GET', `/v1/workspaces/${id}/events?limit=500`)).body.items as { type: string; message: string; data?: { code?: string } }[];
/** Replaces the provider's file in the store, as an admin editing it would. */
const rewrite = async (name: string, yaml: string) => {
  const p = (await cp.store.providers.get(name))!;
  await cp.store.providers.replace({ ...p, yaml, version: p.version + 1, updatedAt: new Date().toISOString() }, p.version);
};

describe('a create retried after gitSources was tightened', () => {
  it('ends in Error naming policy.gitSources, and the engine never reaches the repository', async () => {
    const url = `git://127.0.0.1:${canaryPort}/app.git`;
    // The engine is unreachable at first, so the create is retried with back-off while Pending.
    const loose = `name: tightened\nagent:\n  docker:\n    env:\n      DOCKER_HOST: unix://${work}/no-engine.sock\nworkbay:\n  policy:\n    gitSources: ["git://127.0.0.1:${canaryPort}"]\n`;
    expect((await cp.call('POST', '/v1/providers', { yaml: loose })).status).toBe(201);
    const r = await as('POST', '/v1/workspaces', { provider: 'tightened', name: 'retried', source: { git: { url } } });
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    const retrying = await waitFor(r.body.id, (w) => /retrying/.test(w.statusReason ?? ''));
    expect(retrying.statusReason).toMatch(/retrying/);
    // Now the engine is there, and the admin allows only another path on that host.
    await rewrite('tightened', `name: tightened\nworkbay:\n  policy:\n    gitSources: ["git://127.0.0.1:${canaryPort}/approved"]\n`);
    const failed = await waitFor(r.body.id, (w) => w.status === 'Error');
    expect(failed.status).toBe('Error');
    expect(failed.statusReason).toMatch(/policy\.gitSources/);
    expect(failed.statusReason).toMatch(/source\.git\.url: git:\/\/127\.0\.0\.1:\d+\/app is not under the one git source this provider allows/);
    const error = (await eventsOf(r.body.id)).find((e) => e.type === 'workspace.error');
    expect(error).toMatchObject({ data: { code: 'policy.denied' }, message: expect.stringMatching(/policy\.gitSources/) });
    expect(canaryHits).toBe(0);
    expect(await objectsOf(docker, r.body.id)).toEqual({ containers: [], volumes: [] });
    expect((await as('DELETE', `/v1/workspaces/${r.body.id}?wait=10`)).status).toBeLessThan(300);
  }, 120_000);
});

/**
 * A smart-HTTP git server (git http-backend behind node:http) and a second server that answers
 * every request with a 301 to it. Both count requests.
 */
async function httpGit(root: string) {
  const hits = { target: 0, redirector: 0 };
  const target: HttpServer = createHttpServer((req, res) => {
    hits.target++;
    const u = new URL(req.url ?? '/', 'http://x');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env, GIT_PROJECT_ROOT: root, GIT_HTTP_EXPORT_ALL: '1', PATH_INFO: u.pathname, QUERY_STRING: u.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET', CONTENT_TYPE: req.headers['content-type'] ?? '', REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n');
      const head = out.subarray(0, end).toString('latin1').split('\r\n');
      let status = 200;
      for (const line of head) {
        const [k, ...v] = line.split(':');
        if (k!.toLowerCase() === 'status') status = Number.parseInt(v.join(':').trim(), 10);
        else res.setHeader(k!, v.join(':').trim());
      }
      res.statusCode = status;
      res.end(out.subarray(end + 4));
    });
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const targetPort = (target.address() as { port: number }).port;
  const redirector: HttpServer = createHttpServer((req, res) => {
    hits.redirector++;
    res.writeHead(301, { location: `http://127.0.0.1:${targetPort}${req.url}` });
    res.end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  const port = (redirector.address() as { port: number }).port;
  return { hits, port, close: () => { target.close(); redirector.close(); } };
}

/** The test engine's git helper image plus git's http transport (the shared one clones git:// and file:// only). */
function buildGitHttpImage(): void {
  execFileSync('bash', ['-c', `set -euo pipefail
docker image inspect ${GIT_HTTP_IMAGE} >/dev/null 2>&1 && exit 0
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/usr/lib/git-core" "$root/etc"
cp /bin/busybox "$root/bin/busybox"
for a in sh ls cat mkdir rm cp mv find test; do ln -sf busybox "$root/bin/$a"; done
cp /usr/bin/git "$root/bin/git"
cp /usr/lib/git-core/git /usr/lib/git-core/git-remote-http "$root/usr/lib/git-core/"
for lib in $(ldd /usr/bin/git /usr/lib/git-core/git-remote-http | grep -o '/[^ ]*' | grep -v ':$' | sort -u); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
printf 'root:x:0:0:root:/root:/bin/sh\\n' > "$root/etc/passwd"
chmod 1777 "$root/tmp"
tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'ENV GIT_EXEC_PATH=/usr/lib/git-core' - ${GIT_HTTP_IMAGE} >/dev/null`], { env: { ...process.env, DOCKER_HOST: inject('dockerHost') }, stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('with gitSources set, the engine\'s git follows no HTTP redirect', () => {
  let server: Awaited<ReturnType<typeof httpGit>>;
  const driverWith = (policy: Policy) => createDockerDriver({ path: 'docker', install: false, env: {} }, {
    defaultHost: inject('dockerHost'), helper: { image: GIT_HTTP_IMAGE, network: 'host' }, secrets: async () => '',
  }, policy);
  beforeAll(async () => {
    buildGitHttpImage();
    const src = join(work, 'src');
    const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    mkdirSync(join(src, '.devcontainer'), { recursive: true });
    writeFileSync(join(src, '.devcontainer', 'devcontainer.json'), JSON.stringify({ name: 'Moved', image: 'workbay-test/busybox:local' }));
    git(src, 'init', '-q', '-b', 'main');
    git(src, 'add', '-A');
    git(src, 'commit', '-q', '-m', 'init');
    git(work, 'clone', '-q', '--bare', src, 'repos/app.git');
    server = await httpGit(join(work, 'repos'));
  }, 120_000);
  afterAll(() => server?.close());

  it('without gitSources a redirected repository is still listed (git\'s default is kept)', async () => {
    const d = await driverWith(DEFAULT_POLICY);
    try {
      const listed = await d.listConfigs!({ url: `http://127.0.0.1:${server.port}/app.git` });
      expect(listed.items).toEqual([{ path: '.devcontainer/devcontainer.json', name: 'Moved' }]);
      expect(server.hits.target).toBeGreaterThan(0);
    } finally {
      await d.close?.();
    }
  }, 60_000);

  it('with gitSources naming the redirecting host, listing and cloning fail on the 301 and never reach the other server', async () => {
    const policy = loadProvider(`name: p\nworkbay:\n  policy:\n    gitSources: ["http://127.0.0.1:${server.port}"]\n`).definition.policy;
    const d = await driverWith(policy);
    const ws: DriverWorkspace = { id: ulid(), name: 'moved', owner: 'tests', source: { git: { url: `http://127.0.0.1:${server.port}/app.git` } }, env: {} };
    const before = { ...server.hits };
    try {
      const listing = await d.listConfigs!({ url: `http://127.0.0.1:${server.port}/app.git` }).catch((e: unknown) => e);
      expect(isWorkbayError(listing, 'driver.sourceFailed'), String(listing)).toBe(true);
      expect((listing as Error).message).toMatch(/301/);
      const created = await d.create(ws, () => {}).catch((e: unknown) => e);
      expect(isWorkbayError(created, 'driver.sourceFailed'), String(created)).toBe(true);
      expect((created as Error).message).toMatch(/git clone of http:\/\/127\.0\.0\.1:\d+\/app\.git failed .*301/s);
      expect(server.hits.redirector).toBeGreaterThan(before.redirector);
      expect(server.hits.target).toBe(before.target);
    } finally {
      await d.delete(ws).catch(() => undefined);
      await d.close?.();
    }
  }, 90_000);
});
