import { inject } from 'vitest';
import { DockerDriver } from '../../lib/drivers/docker';
import { driverContract } from './driver.contract';

const driver = new DockerDriver({
  host: inject('dockerHost'), cliPath: 'docker', install: false,
  helper: { image: 'workbay-test/git:local', network: 'host' },
});

driverContract('docker', () => ({
  driver,
  image: 'workbay-test/busybox:local',
  missingImage: '127.0.0.1:1/workbay-test/does-not-exist:nope',
}));
