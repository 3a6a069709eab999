import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';

const IMAGE = 'workbay-test/busybox:local';
const ROUNDS = Number(process.env.ROUNDS ?? 20);
const WORKERS = 8;
const docker = testDocker();
let cp: TestControlPlane;
let token: string;
let id: string;
const burners: ChildProcess[] = [];

const stoppedEvents = async () => ((await cp.call('GET', `/v1/workspaces/${id}/events?limit=500`, { token })).body.items as { type: string }[])
  .filter((e) => e.type === 'workspace.stopped').length;

beforeAll(async () => {
  // The race is in the decisions, not in the engine's stop: a 1 s grace keeps 20 rounds of a container that ignores SIGTERM short.
  cp = await startControlPlane({ env: { WORKBAY_STOP_GRACE: '1s' } });
  await cp.call('POST', '/v1/providers', { yaml: 'name: short\ncontainerInactivityTimeout: 30\n' });
  token = await cp.tokenFor('dev');
  const r = await cp.call('POST', '/v1/workspaces?wait=25', { token, json: { provider: 'short', name: 'contended', source: { image: IMAGE } } });
  expect(r.body.status).toBe('Running');
  id = r.body.id;
  // Load beside the test: the race this guards against opened only on a busy machine.
  // Each burner ends by itself after 10 minutes, should this test process die without killing it.
  const burn = `const end = Date.now() + 600000; while (Date.now() < end) {}`;
  for (let i = 0; i < 2; i++) burners.push(spawn(process.execPath, ['-e', burn], { stdio: 'ignore' }));
}, 120_000);

afterAll(async () => {
  for (const b of burners) b.kill('SIGKILL');
  await cp?.dispose();
});

describe('exactly-once idle stop under contention', () => {
  it(`${WORKERS} sweeps and ${WORKERS} reconciles at once stop a due workspace once, ${ROUNDS} rounds in a row on a loaded machine`, async () => {
    const { sweeper, reconciler } = cp.services;
      // Sweeps only decide (one conditional write wins); reconciles race to act on the decision.
    for (let round = 0; round < ROUNDS; round++) {
      const before = await stoppedEvents();
      const past = new Date(Date.now() + 3600_000);
      let stopped = 0;
      // Each worker keeps trying until the workspace is stopped, so the test cannot pass by every worker losing.
      const worker = async (kind: 'sweep' | 'reconcile') => {
        for (let i = 0; i < 200; i++) {
          if (kind === 'sweep') {
            const r = await sweeper.sweep({ now: past });
            stopped += r.stopped; // read after the await: `stopped += await …` would lose concurrent counts
          } else await reconciler.reconcile(id);
          if ((await cp.store.workspaces.get(id))?.status === 'Stopped') return;
          await new Promise((r) => setImmediate(r));
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, i) => [worker('sweep'), worker(i % 2 ? 'reconcile' : 'sweep'), worker('reconcile')]).flat());
      const ws = (await cp.call('GET', `/v1/workspaces/${id}`, { token })).body;
      expect({ round, stopped }).toEqual({ round, stopped: 1 });
      expect(ws).toMatchObject({ status: 'Stopped', desiredState: 'Stopped', stopReason: 'inactivity' });
      expect(await stoppedEvents()).toBe(before + 1);
      const container = docker.getContainer((await objectsOf(docker, id)).containers[0]!.Id);
      expect((await container.inspect()).State.Running).toBe(false);
      const started = await cp.call('POST', `/v1/workspaces/${id}/start?wait=25`, { token });
      expect(started.body.status).toBe('Running');
    }
  }, 300_000);
});
