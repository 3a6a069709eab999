import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerDriver } from '../../lib/drivers/docker';
import { runAttachHook } from '../../lib/drivers/lifecycle';
import type { RuntimeMeta } from '../../lib/drivers/devcontainer';
import { runCli } from '../support/processes';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';

/** Parity with `devcontainer up` (issue 11): image metadata, config location, variables, failing hooks. */
const BUSYBOX = 'workbay-test/busybox:local';
const LABELLED = 'workbay-test/label-remoteuser:local';

let cp: TestControlPlane;
let git: GitServer;
let token: string;
const docker = testDocker();

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: parity\ncontainerInactivityTimeout: 0\n' })).status).toBe(201);
  token = await cp.tokenFor('parity');
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const exec = async (id: string, command: string | string[], user?: string) =>
  (await as('POST', `/v1/workspaces/${id}/exec`, { command, ...(user ? { user } : {}) })).body as { exitCode: number; stdout: string; stderr: string };
const create = async (name: string, body: Record<string, unknown>) => {
  const r = await as('POST', '/v1/workspaces?wait=25', { provider: 'parity', name, ...body });
  let ws = r.body;
  for (let i = 0; i < 60 && ws.status !== 'Running' && ws.status !== 'Error'; i++) {
    await new Promise((res) => setTimeout(res, 1000));
    ws = (await as('GET', `/v1/workspaces/${ws.id}`)).body;
  }
  return ws as { id: string; status: string; statusReason?: string };
};
const remove = (id: string) => as('DELETE', `/v1/workspaces/${id}?wait=25`);

describe('the image devcontainer.metadata label', () => {
  it('its remoteUser runs exec and hooks, its env and hook apply, and the container label keeps its entries before the config', async () => {
    const ws = await create('label-user', {
      source: { image: LABELLED },
      devcontainer: JSON.stringify({ image: LABELLED, containerEnv: { FROM_CONFIG: 'also' }, postCreateCommand: 'id -un > /tmp/config-hook-user' }),
    });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect((await exec(ws.id, 'id -un')).stdout).toBe('vscode\n');
    expect((await exec(ws.id, ['cat', '/tmp/label-hook-user'])).stdout).toBe('vscode\n');
    expect((await exec(ws.id, ['cat', '/tmp/config-hook-user'])).stdout).toBe('vscode\n');
    expect((await exec(ws.id, 'echo $FROM_LABEL-$FROM_CONFIG')).stdout).toBe('yes-also\n');
    const [c] = (await objectsOf(docker, ws.id)).containers;
    const label = JSON.parse(c!.Labels['devcontainer.metadata']!) as Record<string, unknown>[];
    expect(label[0]).toMatchObject({ id: 'base', remoteUser: 'vscode', postCreateCommand: 'id -un > /tmp/label-hook-user' });
    expect(label.at(-1)).toMatchObject({ postCreateCommand: 'id -un > /tmp/config-hook-user' });
    await remove(ws.id);
  }, 180_000);

  it('the config\'s remoteUser wins over the label\'s', async () => {
    const ws = await create('label-override', { source: { image: LABELLED }, devcontainer: JSON.stringify({ image: LABELLED, remoteUser: 'root' }) });
    expect(ws.status).toBe('Running');
    expect((await exec(ws.id, 'id -un')).stdout).toBe('root\n');
    // The label's hook ran as the config's remoteUser: one user for every hook, as in the reference CLI.
    expect((await exec(ws.id, ['cat', '/tmp/label-hook-user'])).stdout).toBe('root\n');
    await remove(ws.id);
  }, 180_000);
});


describe('variables and runArgs', () => {
  it('${containerEnv:PATH} and ${localWorkspaceFolderBasename} resolve; --platform of the engine runs', async () => {
    const url = git.repo('my-project', {
      '.devcontainer/devcontainer.json': JSON.stringify({
        image: BUSYBOX, runArgs: ['--platform', 'linux/amd64'],
        workspaceFolder: '/workspaces/${localWorkspaceFolderBasename}',
        remoteEnv: { MY_PATH: '${containerEnv:PATH}:/extra', BASE: '${localWorkspaceFolderBasename}' },
        postCreateCommand: 'echo "$MY_PATH" > /tmp/hook-path',
      }),
    });
    const ws = await create('variables', { source: { git: { url } } });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect((await exec(ws.id, 'echo "$MY_PATH $BASE $PWD"')).stdout).toBe('/bin:/extra my-project /workspaces/my-project\n');
    expect((await exec(ws.id, ['cat', '/tmp/hook-path'])).stdout).toBe('/bin:/extra\n');
    await remove(ws.id);
  }, 180_000);

  it('build.options outside the supported few are refused by name', async () => {
    const r = await as('POST', '/v1/workspaces', {
      provider: 'parity', name: 'build-options', source: { image: BUSYBOX },
      devcontainer: JSON.stringify({ build: { dockerfile: 'Dockerfile', options: ['--add-host=x:1.2.3.4'] } }),
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('build option \\"--add-host=x:1.2.3.4\\" is not supported');
  });
});

describe('a failing postCreateCommand', () => {
  it('reports the failure while exec and logs still work, and start reruns it', async () => {
    const ws = await create('failing-hook', {
      source: { image: BUSYBOX },
      devcontainer: JSON.stringify({ image: BUSYBOX, postCreateCommand: 'echo attempt >> /tmp/attempts; test -f /tmp/fixed || { echo "not fixed yet" >&2; exit 3; }' }),
    });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/postCreateCommand failed with exit code 3: .*not fixed yet/s);
    expect(await exec(ws.id, 'cat /tmp/attempts')).toMatchObject({ exitCode: 0, stdout: 'attempt\n' });
    expect((await as('GET', `/v1/workspaces/${ws.id}/logs`)).body).toContain('Container started');
    expect((await exec(ws.id, 'touch /tmp/fixed')).exitCode).toBe(0);
    const started = await as('POST', `/v1/workspaces/${ws.id}/start?wait=25`);
    expect(started.body.statusReason).toBeUndefined();
    expect(started.body.status).toBe('Running');
    expect((await exec(ws.id, 'cat /tmp/attempts')).stdout).toBe('attempt\nattempt\n');
    await remove(ws.id);
  }, 180_000);
});

describe('choosing the devcontainer.json', () => {
  let url = '';
  const which = async (id: string) => (await exec(id, ['cat', '/which'])).stdout;
  beforeAll(() => {
    url = git.repo('two-configs', {
      '.devcontainer/alpha/devcontainer.json': JSON.stringify({ name: 'alpha', build: { dockerfile: 'Dockerfile' } }),
      '.devcontainer/alpha/Dockerfile': `FROM ${BUSYBOX}\nRUN echo alpha > /which\n`,
      '.devcontainer/beta/devcontainer.json': JSON.stringify({ name: 'beta', build: { dockerfile: 'Dockerfile', context: '.' } }),
      '.devcontainer/beta/Dockerfile': `FROM ${BUSYBOX}\nCOPY marker /which\n`,
      '.devcontainer/beta/marker': 'beta\n',
    });
  });

  it('several configs and no choice is an Error naming them', async () => {
    const ws = await create('no-choice', { source: { git: { url } } });
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain('choose one with devcontainerPath: .devcontainer/alpha/devcontainer.json, .devcontainer/beta/devcontainer.json');
    await remove(ws.id);
  }, 120_000);

  it.each(['alpha', 'beta'])('devcontainerPath %s runs that config, its Dockerfile resolved from its folder', async (name) => {
    const ws = await create(`choose-${name}`, { source: { git: { url } }, devcontainerPath: `.devcontainer/${name}/devcontainer.json` });
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    expect(await which(ws.id)).toBe(`${name}\n`);
    await remove(ws.id);
  }, 180_000);

  it('inline content stands for the folder devcontainerPath names', async () => {
    const ws = await create('inline-beta', {
      source: { git: { url } }, devcontainerPath: '.devcontainer/beta/devcontainer.json',
      devcontainer: JSON.stringify({ build: { dockerfile: 'Dockerfile' }, containerEnv: { INLINE: 'yes' } }),
    });
    expect(ws.statusReason).toBeUndefined();
    expect(await which(ws.id)).toBe('beta\n');
    expect((await exec(ws.id, 'echo $INLINE')).stdout).toBe('yes\n');
    await remove(ws.id);
  }, 180_000);

  it('a path outside the source is refused up front', async () => {
    const r = await as('POST', '/v1/workspaces', { provider: 'parity', name: 'escape', source: { git: { url } }, devcontainerPath: '../etc/devcontainer.json' });
    expect(r.status).toBe(400);
  });
});

describe('workbay up ./folder --git', () => {
  it('a clean, pushed clone comes up from its remote with the folder\'s files, Dockerfile included; a dirty folder is refused with what to do', async () => {
    const url = git.repo('folder-src', {
      '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' } }),
      '.devcontainer/Dockerfile': `FROM ${BUSYBOX}\nRUN echo from-dockerfile > /built\n`,
      'hello.txt': 'from the folder\n',
    });
    const dir = mkdtempSync(join(tmpdir(), 'workbay-folder-'));
    execFileSync('git', ['clone', '-q', url, join(dir, 'proj')]);
    const env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: token };
    const r = await runCli(['up', join(dir, 'proj'), '--git', '--provider', 'parity', '--name', 'from-folder'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ws = (await as('GET', '/v1/workspaces')).body.items.find((w: { name: string }) => w.name === 'from-folder');
    expect((await exec(ws.id, 'cat hello.txt /built')).stdout).toBe('from the folder\nfrom-dockerfile\n');
    const other = await runCli(['up', BUSYBOX, '--provider', 'parity', '--name', 'from-folder'], env);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('workspace from-folder exists with a different source');
    writeFileSync(join(dir, 'proj', 'new.txt'), 'not pushed\n');
    const dirty = await runCli(['up', join(dir, 'proj'), '--git', '--provider', 'parity', '--name', 'dirty-folder'], env);
    expect(dirty.code).not.toBe(0);
    expect(dirty.stderr).toContain('it has uncommitted or untracked changes');
    await remove(ws.id);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});

describe('the git helper image', () => {
  it('one the engine lacks fails with an error naming WORKBAY_HELPER_IMAGE', async () => {
    const driver = new DockerDriver({ host: inject('dockerHost'), cliPath: 'docker', install: false, helper: { image: 'workbay-test/no-such-helper:local', network: 'none' } });
    const ws = { id: ulid(), name: 'no-helper', owner: 'parity', source: { git: { url: 'git://127.0.0.1:1/x.git' } }, env: {} };
    await expect(driver.create(ws, () => undefined)).rejects.toThrow(/set WORKBAY_HELPER_IMAGE to an image with git/);
    await driver.delete(ws);
  }, 120_000);
});

describe('postAttachCommand', () => {
  it('runAttachHook runs it as the remote user (from the image label) on every attach', async () => {
    const ws = await create('attach-hook', {
      source: { image: LABELLED },
      devcontainer: JSON.stringify({ image: LABELLED, postAttachCommand: 'echo "config as $(id -un)" >> /tmp/attach.log' }),
    });
    expect(ws.status).toBe('Running');
    const [c] = (await objectsOf(docker, ws.id)).containers;
    const meta = JSON.parse(c!.Labels['workbay.dev/runtime']!) as RuntimeMeta;
    const driver = new DockerDriver({ host: inject('dockerHost'), cliPath: 'docker', install: false, helper: { image: 'workbay-test/git:local', network: 'host' } });
    const dws = { id: ws.id, name: 'attach-hook', owner: 'parity', source: { image: LABELLED }, env: {} };
    const attach = () => runAttachHook((argv) => driver.exec(dws, argv), meta);
    await attach();
    await attach();
    expect((await exec(ws.id, ['cat', '/tmp/attach.log'])).stdout).toBe('config as vscode\nconfig as vscode\n');
    await remove(ws.id);
  }, 120_000);
});
