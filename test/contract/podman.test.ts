import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { loadProvider } from '../../lib/config';
import { createDockerDriver, type DockerDriver } from '../../lib/drivers/docker';
import { localSecrets } from '../../lib/secrets';
import { testDocker } from '../support/docker-inspect';
import { startPodman, type PodmanEngine } from '../support/podman';
import { driverContract } from './driver.contract';

const IMAGE = 'workbay-test/busybox:local';
let podman: PodmanEngine;
let driver: DockerDriver;

// The driver comes from a provider that says only `path: podman`: no DOCKER_HOST, so the factory picks
// Podman's socket (here the private service's, as the runtime would pass the rootless one).
beforeAll(async () => {
  podman = await startPodman(testDocker(inject('dockerHost')), [IMAGE, 'workbay-test/git:local']);
  const provider = loadProvider('name: contract-podman\npath: /usr/bin/podman\n');
  if (provider.agent.driver !== 'docker') throw new Error('expected a docker provider');
  driver = await createDockerDriver(provider.agent.docker, {
    defaultHost: inject('dockerHost'), podmanHost: podman.host,
    helper: { image: 'workbay-test/git:local', network: 'host' }, secrets: localSecrets({}),
  });
}, 180_000);

afterAll(async () => {
  await driver?.close();
  await podman?.close();
}, 60_000);

// Podman stores loaded images as localhost/<name>; the unqualified name the devcontainer.json uses must still match.
driverContract('podman', () => ({
  driver,
  image: IMAGE,
  missingImage: '127.0.0.1:1/workbay-test/does-not-exist:nope',
}));

it('the attach command names the Podman socket with --url (podman ignores DOCKER_HOST)', async () => {
  const w = { id: '01JPODMANATTACH0000000000', name: 'attach', owner: 'contract', source: { image: IMAGE }, env: {} };
  const c = await driver.connection(w);
  expect(c.attach.slice(0, 5)).toEqual(['/usr/bin/podman', '--url', podman.host, 'exec', '-it']);
});
