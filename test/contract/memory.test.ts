import { MemoryEngine } from '../support/memory-driver';
import { driverContract } from './driver.contract';

// The in-memory engine of the unit tier (reconciler, sweeper, leases) honours the same contract as
// the real drivers: hooks and devcontainer.json go through the real code, processes through a tiny shell.
const engine = new MemoryEngine({ images: ['workbay-test/busybox:local'] });

driverContract('memory', () => ({
  driver: engine.driver(),
  image: 'workbay-test/busybox:local',
  missingImage: '127.0.0.1:1/workbay-test/does-not-exist:nope',
}));
