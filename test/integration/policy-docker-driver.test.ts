import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { loadProvider } from '../../lib/config';
import { DockerDriver } from '../../lib/drivers/docker';
import type { DriverWorkspace } from '../../lib/drivers';
import { isWorkbayError } from '../../lib/errors';
import type { Policy } from '../../lib/policy';
import { objectsOf, testDocker } from '../support/docker-inspect';

const docker = testDocker();
const shared = mkdtempSync(join(tmpdir(), 'workbay-policy-shared-'));
const policyOf = (yaml: string): Policy => loadProvider(`name: p\nworkbay:\n  policy: ${yaml}\n`).definition.policy;
const driverWith = (policy: Policy) => new DockerDriver({
  host: inject('dockerHost'), cliPath: 'docker', install: false, helper: { image: 'workbay-test/git:local', network: 'host' }, policy,
});
const ws: DriverWorkspace = {
  id: ulid(), name: 'tight', owner: 'tests', source: { image: 'workbay-test/busybox:local' }, env: {},
  devcontainer: JSON.stringify({ image: 'workbay-test/busybox:local', mounts: [`source=${shared},target=/shared,type=bind`] }),
};
afterAll(async () => {
  await driverWith(policyOf('{}')).delete(ws);
  rmSync(shared, { recursive: true, force: true });
});

describe('the Docker driver judges what the engine holds before a start', () => {
  it('a container made under a looser policy is not started once the policy no longer allows it', async () => {
    const loose = driverWith(policyOf(`{mounts: {types: [bind, volume], hostPaths: [${shared}]}}`));
    expect((await loose.create(ws, () => {})).state).toBe('running');
    await loose.stop(ws);

    const err = await driverWith(policyOf('{}')).start(ws, () => {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'policy.denied'), String(err)).toBe(true);
    expect((err as { errors: { field: string; rule: string }[] }).errors).toEqual([
      expect.objectContaining({ field: expect.stringMatching(/^container\.HostConfig\.Mounts\[\d\]$/), rule: 'policy.mounts.types' }),
    ]);
    const [c] = (await objectsOf(docker, ws.id)).containers;
    expect(c!.State).toBe('exited');

    expect((await loose.start(ws, () => {})).state).toBe('running');
  });
});
