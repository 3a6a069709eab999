import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../support/wait';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';

const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let git: GitServer;
let token: string;
const logs: string[] = [];
const docker = testDocker();

beforeAll(async () => {
  cp = await startControlPlane({ log: (e) => logs.push(JSON.stringify(e)) });
  git = await startGitServer();
  await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
  await cp.call('POST', '/v1/providers', { yaml: 'name: nowhere\nagent:\n  docker:\n    env:\n      DOCKER_HOST: unix:///tmp/workbay-no-such-engine.sock\n' });
  token = await cp.tokenFor('dev');
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const types = async (id: string) => (await as('GET', `/v1/workspaces/${id}/events?limit=500`)).body.items.map((e: { type: string }) => e.type) as string[];

const until = (id: string, pred: (ws: any) => boolean, ms = 60_000) =>
  pollUntil(async () => (await as('GET', `/v1/workspaces/${id}`)).body, pred, ms);

describe('failure paths users hit', () => {
  it('an image that is missing and not pullable: Error with the reason, nothing left behind', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'no-image', source: { image: '127.0.0.1:1/workbay-test/nope:missing' } });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('Error');
    expect(r.body.statusReason).toMatch(/127.0.0.1:1\/workbay-test\/nope:missing.*could not be pulled/);
    expect(await types(r.body.id)).toContain('workspace.error');
    expect(await objectsOf(docker, r.body.id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);

  it('a Dockerfile build error: Error with the build output, nothing left behind', async () => {
    const url = git.repo('bad-dockerfile', {
      '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }',
      '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo building && exit 42\n`,
    });
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'bad-build', source: { git: { url } } });
    expect(r.body.status).toBe('Error');
    expect(r.body.statusReason).toMatch(/build failed/i);
    expect(r.body.statusReason).toMatch(/42/);
    expect(await objectsOf(docker, r.body.id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);

  it('a failing lifecycle command: Error with the command output in statusReason and events', async () => {
    const devcontainer = JSON.stringify({ image: IMAGE, postCreateCommand: 'echo "npm ERR! missing script"; exit 1' });
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'bad-hook', source: { image: IMAGE }, devcontainer });
    expect(r.body.status).toBe('Error');
    expect(r.body.statusReason).toContain('postCreateCommand failed with exit code 1: npm ERR! missing script');
    const ev = (await as('GET', `/v1/workspaces/${r.body.id}/events?limit=500`)).body.items;
    expect(ev.find((e: { type: string }) => e.type === 'workspace.error').message).toContain('npm ERR! missing script');
    expect((await as('DELETE', `/v1/workspaces/${r.body.id}?wait=25`)).status).toBe(204);
    expect(await objectsOf(docker, r.body.id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);

  it('a bad git URL: Error naming the clone failure', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'bad-git', source: { git: { url: 'git://127.0.0.1:1/none.git' } } });
    expect(r.body.status).toBe('Error');
    expect(r.body.statusReason).toMatch(/git clone .* failed/);
    expect(await objectsOf(docker, r.body.id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);

  it('an unreachable engine: a clear reason, retried later, then Error; the record can be deleted', async () => {
    const r = await as('POST', '/v1/workspaces?wait=3', { provider: 'nowhere', name: 'unreachable', source: { image: IMAGE } });
    expect(r.status).toBe(202);
    const retrying = await until(r.body.id, (w) => /retrying/.test(w.statusReason ?? ''));
    expect(retrying.statusReason).toMatch(/Docker engine unreachable .*ENOENT.*retrying/);
    expect(await types(r.body.id)).toContain('workspace.retrying');
    const failed = await until(r.body.id, (w) => w.status === 'Error', 120_000);
    expect(failed.status).toBe('Error');
    expect((await types(r.body.id)).filter((t) => t === 'workspace.retrying').length).toBeGreaterThanOrEqual(2);
    const del = await as('DELETE', `/v1/workspaces/${r.body.id}?wait=10`);
    expect([202, 204]).toContain(del.status);
  }, 180_000);

  it('exec on a stopped workspace says so (409); ?autostart=true starts it and keeps the volume content', async () => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'autostart', source: { image: IMAGE } });
    const id = r.body.id;
    await as('POST', `/v1/workspaces/${id}/exec`, { command: 'echo kept > keep.txt' });
    await as('POST', `/v1/workspaces/${id}/stop?wait=25`);
    const refused = await as('POST', `/v1/workspaces/${id}/exec`, { command: 'cat keep.txt' });
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/autostart=true/);
    const ok = await cp.call('POST', `/v1/workspaces/${id}/exec?autostart=true`, { token, json: { command: 'cat keep.txt' } });
    expect(ok.body).toMatchObject({ exitCode: 0, stdout: 'kept\n' });
  }, 90_000);

  it('logged nothing at error level for user mistakes; an engine that stays unreachable is an operator\'s error, logged once', () => {
    const errors = logs.filter((l) => l.includes('"level":"error"')).map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.msg, e.code, e.retrying])).toEqual([['reconcile failed', 'driver.unreachable', false]]);
  });
});
