/**
 * Run-once markers made by the hooks' own execs (ADR 0016): with a root user the first exec makes
 * /var/workbay itself; with a non-root remote user on an image without /var the driver makes it
 * once as root. Either way a create hook runs once per container and postStart once per start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';

const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let token: string;

beforeAll(async () => {
  cp = await startControlPlane();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  token = await cp.tokenFor('dev');
});
afterAll(async () => {
  await cp?.dispose();
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });

describe.each([
  { who: 'root', user: {}, expectUser: 'root' },
  { who: 'a non-root remoteUser', user: { remoteUser: 'vscode' }, expectUser: 'vscode' },
])('run-once hooks as $who', ({ who, user, expectUser }) => {
  let id = '';
  const cat = async (file: string) => (await as('POST', `/v1/workspaces/${id}/exec`, { command: `cat ${file} 2>/dev/null; true` })).body.stdout as string;

  it('runs postCreate once and postStart once per start, across a stop and a start', async () => {
    const devcontainer = JSON.stringify({
      image: IMAGE, ...user,
      onCreateCommand: 'id -un >> /tmp/on-create.log',
      postCreateCommand: { a: 'echo a >> /tmp/post-create.log', b: 'echo b >> /tmp/post-create.log' },
      postStartCommand: 'echo started >> /tmp/post-start.log',
    });
    const r = await as('POST', '/v1/workspaces?wait=25', { name: `markers-${who.length}`, provider: 'local-docker', source: { image: IMAGE }, devcontainer });
    expect(r.body.status).toBe('Running');
    id = r.body.id;
    expect(await cat('/tmp/on-create.log')).toBe(`${expectUser}\n`);
    expect((await cat('/tmp/post-create.log')).split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
    expect(await cat('/tmp/post-start.log')).toBe('started\n');

    expect((await as('POST', `/v1/workspaces/${id}/stop?wait=25`)).body.status).toBe('Stopped');
    expect((await as('POST', `/v1/workspaces/${id}/start?wait=25`)).body.status).toBe('Running');
    expect(await cat('/tmp/on-create.log')).toBe(`${expectUser}\n`);
    expect((await cat('/tmp/post-create.log')).split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
    expect(await cat('/tmp/post-start.log')).toBe('started\nstarted\n');
    // The markers the hooks wrote are where the driver reads them.
    expect((await cat('/var/workbay/onCreateCommand')).length).toBeGreaterThan(0);
    expect((await as('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBeLessThan(300);
  });
});
