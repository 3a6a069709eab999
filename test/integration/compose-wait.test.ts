import { Agent } from 'node:http';
import Docker from 'dockerode';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { followContainer } from '../../lib/drivers/docker/compose/events';
import { waitForCondition } from '../../lib/drivers/docker/compose/wait';

/**
 * Compose dependency waits on the test engine's events stream: each way a wait ends, and that no
 * connection to the engine stays open after it (the client's own agent counts its sockets).
 */
const IMAGE = 'workbay-test/busybox:local';
const LABEL = 'workbay.test/compose-wait';
const agent = new Agent({ keepAlive: false });
const docker = new Docker({ socketPath: new URL(inject('dockerHost')).pathname, agent } as Docker.DockerOptions);
const openSockets = () => Object.values(agent.sockets).reduce((n, list) => n + (list?.length ?? 0), 0);
const allClosed = () => vi.waitFor(() => expect(openSockets()).toBe(0));

/** Creates and starts a container for one case. */
async function started(cmd: string, healthcheck?: Docker.ContainerCreateOptions['Healthcheck']): Promise<string> {
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', cmd], Labels: { [LABEL]: 'true' }, ...(healthcheck ? { Healthcheck: healthcheck } : {}) });
  await c.start();
  return c.id;
}
const every = (seconds: number) => seconds * 1_000_000_000;

afterAll(async () => {
  for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL] } })) await docker.getContainer(c.Id).remove({ force: true });
});

describe('waiting for a dependency on the events stream', () => {
  it('service_healthy resolves once the healthcheck passes, and closes its stream', async () => {
    const id = await started('sleep 2; touch /tmp/ready; exec sleep 3600', { Test: ['CMD-SHELL', 'test -f /tmp/ready'], Interval: every(1), Retries: 30 });
    await waitForCondition(docker, 'db', id, 'service_healthy', 120_000);
    expect((await docker.getContainer(id).inspect()).State.Health?.Status).toBe('healthy');
    await allClosed();
  }, 150_000);

  it('service_completed_successfully resolves on exit 0 and fails on another code with the log lines', async () => {
    const ok = await started('sleep 1; exit 0');
    const bad = await started('sleep 1; echo job-failed; exit 3');
    await waitForCondition(docker, 'migrate', ok, 'service_completed_successfully', 120_000);
    expect((await docker.getContainer(ok).inspect()).State).toMatchObject({ Status: 'exited', ExitCode: 0 });
    await expect(waitForCondition(docker, 'job', bad, 'service_completed_successfully', 120_000))
      .rejects.toThrow(/service "job" exited with code 3, and a dependent service needs it to complete successfully; last log lines:\njob-failed/);
    await allClosed();
  }, 150_000);

  it('a state reached before the wait is read from the first inspect', async () => {
    const id = await started('exit 0');
    await vi.waitFor(async () => expect((await docker.getContainer(id).inspect()).State.Status).toBe('exited'), { timeout: 30_000, interval: 200 });
    await waitForCondition(docker, 'done', id, 'service_completed_successfully', 1_000);
    await expect(waitForCondition(docker, 'done', id, 'service_healthy', 1_000)).rejects.toThrow(/service "done" has no healthcheck/);
    await allClosed();
  }, 60_000);

  it('the timeout names the service and its last healthcheck output', async () => {
    const id = await started('exec sleep 3600', { Test: ['CMD-SHELL', 'echo not-ready-yet; exit 1'], Interval: every(1), Retries: 10_000 });
    await expect(waitForCondition(docker, 'slow', id, 'service_healthy', 5_000))
      .rejects.toThrow(/service "slow" did not become healthy within 5 s; last healthcheck: exit code 1, output: not-ready-yet/);
    await allClosed();
  }, 60_000);

  it('an unhealthy service fails with its healthcheck output', async () => {
    const id = await started('echo db-is-broken; exec sleep 3600', { Test: ['CMD-SHELL', 'echo refused; exit 1'], Interval: every(1), Retries: 2 });
    await expect(waitForCondition(docker, 'db', id, 'service_healthy', 120_000))
      .rejects.toThrow(/service "db" is unhealthy \(its healthcheck failed\); last healthcheck: exit code 1, output: refused; last log lines:\ndb-is-broken/);
    await allClosed();
  }, 150_000);
});

describe('the events subscription', () => {
  it('replays from the container\'s start and delivers its health change and exit', async () => {
    const id = await started('sleep 3; exit 0', { Test: ['CMD-SHELL', 'true'], Interval: every(1), Retries: 3 });
    // Subscribed after the start: the start arrives only through the replay.
    await vi.waitFor(async () => expect((await docker.getContainer(id).inspect()).State.Running).toBe(true), { timeout: 30_000, interval: 200 });
    const since = Math.floor(Date.parse((await docker.getContainer(id).inspect()).State.StartedAt) / 1000);
    const actions: string[] = [];
    let died = () => {};
    const exit = new Promise<void>((r) => { died = r; });
    const events = followContainer(docker, id, since, (a) => { actions.push(a); if (a === 'die') died(); });
    await exit;
    events.close();
    await events.ended;
    expect(actions[0]).toBe('start');
    expect(actions).toContain('health_status: healthy');
    expect(actions.at(-1)).toBe('die');
    await allClosed();
  }, 60_000);
});

