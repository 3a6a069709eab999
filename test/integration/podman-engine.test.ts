import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
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
});
