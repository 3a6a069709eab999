import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { loadProvider } from '../../lib/config';
import type { Driver } from '../../lib/drivers';
import { createKubernetesDriver } from '../../lib/drivers/kubernetes';
import { localSecrets } from '../../lib/secrets';
import { startKubeSim, type KubeSim } from '../support/kube-sim';
import { driverContract } from './driver.contract';

let sim: KubeSim;
let driver: Driver;
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-contract-'));

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(join(dir, 'kubeconfig'));
  const provider = loadProvider(`name: contract-kube\ndriver: kubernetes\nconfig: ${join(dir, 'kubeconfig')}\nnamespace: contract\ncreateNamespace: true\n`);
  if (provider.agent.driver !== 'kubernetes') throw new Error('expected a kubernetes provider');
  driver = await createKubernetesDriver(provider.agent.kubernetes, { secrets: localSecrets({}), gitImage: 'workbay-test/git:local' });
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

driverContract('kubernetes', () => ({
  driver,
  image: 'workbay-test/busybox:local',
  missingImage: '127.0.0.1:1/workbay-test/does-not-exist:nope',
}));
