import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { startGitServer, type GitServer } from '../support/git-server';
import { dumpTable } from '../support/table-dump';

/**
 * policy.gitSources on a real engine and a real git daemon: a repository outside the list is refused
 * on create and on listing before any engine is asked and before anything is written; a listed one
 * is listed and runs.
 */
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let git: GitServer;
let token: string;
let allowed = '';
let lookAlike = '';
/** A port on the git server's host that is not allowed: it counts every connection an engine makes to it. */
let canary: Server;
let canaryHits = 0;

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  canary = createServer((sock) => { canaryHits++; sock.destroy(); });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  const files = { '.devcontainer/devcontainer.json': JSON.stringify({ name: 'App', image: IMAGE }) };
  allowed = git.repo('app', files);
  // A raw string prefix of the allowed URL would let this one through.
  lookAlike = git.repo('app-fork', files);
  const base = allowed.replace(/\/app\.git$/, '');
  const yaml = `name: guarded\nworkbay:\n  policy:\n    gitSources:\n      - ${base}/app\n`;
  const r = await cp.call('POST', '/v1/providers', { yaml });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  expect(r.body.policy.gitSources).toEqual([`${base}/app`]);
  token = await cp.tokenFor('gina');
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  canary?.close();
});

/** The table without token items, whose last-use time changes on every authenticated request. */
const tableState = async () => (await dumpTable(cp.store)).filter((i) => i.kind !== 'token');
const create = (url: string, name: string, wait = 0) =>
  cp.call('POST', `/v1/workspaces${wait ? `?wait=${wait}` : ''}`, { token, json: { provider: 'guarded', name, source: { git: { url } } } });
const list = (url: string) => cp.call('GET', `/v1/providers/guarded/devcontainers?${new URLSearchParams({ git: url })}`, { token });

describe('a provider with gitSources', () => {
  it.each([
    ['a look-alike repository on the same server', () => lookAlike, /git:\/\/127\.0\.0\.1:\d+\/app-fork is not under the one git source this provider allows/],
    ['another host, with a token in the URL', () => 'https://ghp_tok3n@github.com/app', /https:\/\/github\.com\/app is not under/],
    ['the allowed path climbed out of with ..', () => allowed.replace('/app.git', '/app/../app-fork.git'), /no path prefix covers it/],
  ])('refuses %s on create with 403 naming source.git.url, and writes nothing', async (_what, url, reason) => {
    await cp.settle();
    const before = await tableState();
    const r = await create(url(), 'refused');
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('policy.denied');
    expect(r.body.errors).toEqual([{ field: 'source.git.url', rule: 'policy.gitSources', message: expect.stringMatching(reason), hint: 'Use a repository the provider allows, or ask an admin to allow this one.' }]);
    expect(JSON.stringify(r.body)).not.toContain('ghp_tok3n');
    expect(await tableState()).toEqual(before);
    expect((await cp.call('GET', '/v1/workspaces', { token })).body.items).toEqual([]);
  });

  it('refuses an unlisted repository on listing with 403 naming query.git, before the engine reaches out', async () => {
    const r = await list(lookAlike);
    expect(r.status, JSON.stringify(r.body)).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ code: 'policy.denied', errors: [{ field: 'query.git', rule: 'policy.gitSources' }] });
    expect(r.body.detail).toMatch(/listing this repository is not allowed by the provider's policy/);
    // Same host, another port: a listing that went ahead would have its helper connect there first.
    const other = await list(`git://127.0.0.1:${(canary.address() as { port: number }).port}/app.git`);
    expect(other.status, JSON.stringify(other.body)).toBe(403);
    expect(canaryHits).toBe(0);
  });

  it('lists and runs the listed repository, spelt with or without .git', async () => {
    const listed = await list(allowed.replace(/\.git$/, ''));
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body).toEqual({ items: [{ path: '.devcontainer/devcontainer.json', name: 'App' }], default: '.devcontainer/devcontainer.json' });
    const ws = await create(allowed, 'allowed-app', 25);
    expect(ws.status, JSON.stringify(ws.body)).toBe(201);
    expect(ws.body.status).toBe('Running');
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token })).status).toBeLessThan(300);
  }, 180_000);

  it('a provider whose gitSources entry is not one is refused at add, naming the field and line', async () => {
    const r = await cp.call('POST', '/v1/providers', { yaml: 'name: bad-sources\nworkbay:\n  policy:\n    gitSources:\n      - github.com/org\n      - "git@github.com:org"\n' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'workbay.policy.gitSources[1]', line: 6, message: expect.stringMatching(/names a user/) })]);
  });
});
