import Docker from 'dockerode';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DockerDriver } from '../../lib/drivers/docker';
import { isPodmanEngine } from '../../lib/drivers/docker/compose/podman';
import { engine } from '../../lib/drivers/docker/errors';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { startPodman, type PodmanEngine } from '../support/podman';

const IMAGE = 'workbay-test/busybox:local';
let podman: PodmanEngine;
let cp: TestControlPlane;
let git: GitServer;

beforeAll(async () => {
  podman = await startPodman(testDocker(inject('dockerHost')), [IMAGE, 'workbay-test/git:local']);
  git = await startGitServer();
  cp = await startControlPlane();
  const yaml = `name: podman\npath: /usr/bin/podman\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${podman.host}\n`;
  expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
  // The test Docker engine, for the same engine error in Docker's words.
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: docker\n' })).status).toBe(201);
}, 180_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  await podman?.close();
}, 90_000);

describe('Podman through its Docker-compatible API', () => {
  it('clones a git source and builds its Dockerfile on Podman; delete removes container, volume and the built image', async () => {
    const url = git.repo('podman-build', {
      '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' }, postCreateCommand: 'cat /flavour > .made' }),
      '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built-on-podman > /flavour\n`,
    });
    let ws = (await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'podman', name: 'built', source: { git: { url } } } })).body;
    for (let i = 0; i < 240 && (ws.status === 'Pending' || ws.status === 'Creating'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      ws = (await cp.call('GET', `/v1/workspaces/${ws.id}`)).body;
    }
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    const exec = await cp.call('POST', `/v1/workspaces/${ws.id}/exec`, { json: { command: ['cat', '.made'] } });
    expect(exec.body).toMatchObject({ exitCode: 0, stdout: 'built-on-podman\n' });
    expect((await objectsOf(podman.client, ws.id)).containers).toHaveLength(1);
    // Podman tags the build docker.io/library/workbay-<id>:devcontainer; the short name still finds it.
    const tag = `workbay-${ws.id.toLowerCase()}:devcontainer`;
    expect(await podman.client.getImage(tag).inspect().then(() => true, () => false)).toBe(true);
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
    expect(await objectsOf(podman.client, ws.id)).toEqual({ containers: [], volumes: [] });
    expect(await podman.client.getImage(tag).inspect().then(() => true, () => false)).toBe(false);
  }, 180_000);

  // The provider's path says which engine it is: no engine call of its own.
  it.each([['podman', 'Podman'], ['docker', 'Docker']])('an engine error on the %s provider names %s', async (provider, name) => {
    const devcontainer = JSON.stringify({ image: IMAGE, containerUser: 'nosuchuser' });
    const r = await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider, name: `no-user-${provider}`, source: { image: IMAGE }, devcontainer } });
    let ws = r.body;
    for (let i = 0; i < 120 && ws.status !== 'Error' && ws.status !== 'Running'; i++) {
      await new Promise((res) => setTimeout(res, 250));
      ws = (await cp.call('GET', `/v1/workspaces/${ws.id}`)).body;
    }
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(new RegExp(`^${name} engine error while starting the container: .*unable to find user nosuchuser`));
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
  }, 120_000);

  it('with a docker path, an engine error names Podman once a version call has found it, Docker before', async () => {
    const client = new Docker({ socketPath: podman.socketPath });
    // Constructed for what it does to the client's errors; it is never asked to do anything itself.
    new DockerDriver({ host: podman.host, cliPath: 'docker', install: false, helper: { image: IMAGE } }, client);
    const inspect = () => engine('inspecting a container', () => client.getContainer('workbay-no-such-container').inspect()).catch((e: Error) => e.message);
    expect(await inspect()).toMatch(/^Docker engine error while inspecting a container: /);
    expect(await isPodmanEngine(client)).toBe(true);
    expect(await inspect()).toMatch(/^Podman engine error while inspecting a container: .*no such container/);
  });

  // Podman's archive API resolves links inside the volume and says nothing of them; the check does not rely on it.
  it('a local Feature folder of an upload that is a symlink out of it is refused naming the Feature', async () => {
    const pack = tar.pack();
    pack.entry({ name: '.devcontainer/devcontainer.json' }, JSON.stringify({ image: IMAGE, features: { './evil': {} } }));
    pack.entry({ name: '.devcontainer/evil', type: 'symlink', linkname: '/etc' });
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const upload = await cp.call('POST', '/v1/uploads', { body: Buffer.concat(chunks) as unknown as string, headers: { 'content-type': 'application/x-tar' } });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    let ws = (await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'podman', name: 'evil-feature', source: { upload: { id: upload.body.id } } } })).body;
    for (let i = 0; i < 240 && ws.status !== 'Error' && ws.status !== 'Running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      ws = (await cp.call('GET', `/v1/workspaces/${ws.id}`)).body;
    }
    expect(ws.statusReason).toBe('Feature "./evil": the folder .devcontainer/evil leads outside the uploaded folder through a symlink');
    expect((await objectsOf(podman.client, ws.id)).containers).toHaveLength(0);
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
  }, 120_000);
});
