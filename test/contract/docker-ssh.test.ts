import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { loadProvider } from '../../lib/config';
import { createDockerDriver, type DockerDriver } from '../../lib/drivers/docker';
import { localSecrets } from '../../lib/secrets';
import { startSshd, type TestSshd } from '../support/sshd';
import { driverContract } from './driver.contract';

let sshd: TestSshd;
let driver: DockerDriver;

// The test dockerd, reached only through sshd on 127.0.0.1: every engine request is a channel of one
// SSH connection to its socket.
beforeAll(async () => {
  sshd = await startSshd();
  const yaml = [
    'name: contract-ssh', 'agent:', '  docker:', '    env:',
    `      DOCKER_HOST: ${sshd.url}`,
    `      DOCKER_SSH_KEY: file:${sshd.clientKeyFile}`,
    `      DOCKER_SSH_KNOWN_HOSTS: "${sshd.knownHostsLine}"`,
    `      DOCKER_SSH_SOCKET: ${new URL(inject('dockerHost')).pathname}`,
  ].join('\n');
  const provider = loadProvider(`${yaml}\n`);
  if (provider.agent.driver !== 'docker') throw new Error('expected a docker provider');
  driver = await createDockerDriver(provider.agent.docker, { helper: { image: 'workbay-test/git:local', network: 'host' }, secrets: localSecrets({}) });
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await sshd?.close();
}, 60_000);

driverContract('docker over ssh://', () => ({
  driver,
  image: 'workbay-test/busybox:local',
  missingImage: '127.0.0.1:1/workbay-test/does-not-exist:nope',
}));

it('the whole contract ran over one SSH connection, and close() ends it', async () => {
  expect(sshd.logins()).toBe(1);
  const before = sshd.disconnects();
  await driver.close();
  for (let i = 0; i < 40 && sshd.disconnects() === before; i++) await new Promise((r) => setTimeout(r, 100));
  expect(sshd.disconnects()).toBeGreaterThan(before);
});
