import { describe, expect, it } from 'vitest';
import { DockerDriver } from '../../../lib/drivers/docker';
import type { DriverWorkspace } from '../../../lib/drivers';
import { isWorkbayError } from '../../../lib/errors';

/**
 * The engine a Docker driver's errors name, on a socket where no engine listens: the real client's
 * own ENOENT, translated. Podman engines are covered on a real Podman in podman-engine.test.ts.
 */
const host = 'unix:///tmp/workbay-no-engine-here/docker.sock';
const ws: DriverWorkspace = { id: '01JD0000000000000000000000', name: 'named', owner: 'tests', env: {}, source: { image: 'busybox' } };
const failure = (cliPath: string) => new DockerDriver({ host, cliPath, install: false, helper: { image: 'busybox' } }).find(ws).then(() => undefined, (e: unknown) => e);

describe('Docker driver errors name the engine the provider configured', () => {
  it.each([
    ['podman', 'Podman'],
    ['/usr/bin/podman', 'Podman'],
    ['docker', 'Docker'],
    ['/usr/local/bin/docker', 'Docker'],
  ])('path %s: %s', async (cliPath, name) => {
    const err = await failure(cliPath);
    expect(isWorkbayError(err, 'driver.unreachable'), String(err)).toBe(true);
    expect((err as Error).message).toBe(`${name} engine unreachable while listing containers (ENOENT)`);
  });
});
