import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { pollUntil } from '../support/wait';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let token: string;
const ids: Record<string, string> = {};
let toucher: NodeJS.Timeout | undefined;
let startedAt = 0;

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const sweep = async () => (await cp.call('POST', '/v1/sweeps')).body;
const get = async (name: string) => (await as('GET', `/v1/workspaces/${ids[name]}`)).body;
const events = async (name: string) => (await as('GET', `/v1/workspaces/${ids[name]}/events?limit=500`)).body.items as { type: string; data?: any }[];
const containerOf = async (name: string) => docker.getContainer((await objectsOf(docker, ids[name]!)).containers[0]!.Id);
const sleepUntil = async (msAfterStart: number) => {
  const wait = startedAt + msAfterStart - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
};

async function dockerExec(name: string, cmd: string[]) {
  const exec = await (await containerOf(name)).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((r) => { stream.on('end', r); stream.resume(); });
}

beforeAll(async () => {
  cp = await startControlPlane({ idleWarningSeconds: 60 });
  await cp.call('POST', '/v1/providers', { yaml: 'name: short\ncontainerInactivityTimeout: 8\n' });
  await cp.call('POST', '/v1/providers', { yaml: 'name: never\ncontainerInactivityTimeout: 0\n' });
  await cp.call('POST', '/v1/providers', { yaml: `name: switchable\noptions:\n  HOST:\n    default: ${inject('dockerHost')}\nagent:\n  containerInactivityTimeout: 8s\n  docker:\n    env:\n      DOCKER_HOST: \${HOST}\n` });
  token = await cp.tokenFor('dev');
  const plan: [string, string][] = [['idle1', 'short'], ['idle2', 'short'], ['idle3', 'short'], ['broken', 'switchable'], ['touched', 'short'], ['execd', 'short'], ['beat', 'short'], ['forever', 'never']];
  await Promise.all(plan.map(async ([name, provider]) => {
    // idle1's file comes from postCreateCommand: an API exec would count as activity.
    const devcontainer = name === 'idle1' ? JSON.stringify({ image: IMAGE, postCreateCommand: 'echo precious > data.txt' }) : undefined;
    const r = await as('POST', '/v1/workspaces?wait=25', { provider, name, source: { image: IMAGE }, devcontainer });
    expect(r.body.status).toBe('Running');
    ids[name] = r.body.id;
  }));
  startedAt = Math.min(...await Promise.all(Object.keys(ids).map(async (n) => Date.parse((await get(n)).lastActivityAt))));
  toucher = setInterval(() => void dockerExec('touched', ['touch', '/tmp/devpod.activity']).catch(() => undefined), 500);
}, 120_000);

afterAll(async () => {
  clearInterval(toucher);
  await cp?.dispose();
});

describe('inactivity sweeps', () => {
  it('warns once per deadline before stopping', async () => {
    const first = await sweep();
    expect(first.stopped).toBe(0);
    expect(first.warned).toBeGreaterThanOrEqual(4);
    expect((await sweep()).warned).toBe(0);
    expect((await get('idle1')).status).toBe('Running');
    const warnings = (await events('idle1')).filter((e) => e.type === 'workspace.idle-warning');
    expect(warnings).toHaveLength(1);
  });

  it('keeps workspaces alive through API exec and heartbeat, and never sweeps a 0 timeout', async () => {
    await sleepUntil(4000);
    expect((await as('POST', `/v1/workspaces/${ids.execd}/exec`, { command: ['true'] })).status).toBe(200);
    expect((await as('POST', `/v1/workspaces/${ids.beat}/activity`)).status).toBe(204);
    expect(await get('execd')).toMatchObject({ lastActivitySource: 'exec' });
    expect(await get('beat')).toMatchObject({ lastActivitySource: 'api' });
    const forever = await get('forever');
    expect(forever.inactivityTimeoutSeconds).toBe(0);
    expect(forever.idleDeadline).toBeUndefined();
  }, 30_000);

  it('two sweeps at once stop each due workspace exactly once; a driver failure on one is isolated and reported', async () => {
    await cp.call('PUT', '/v1/providers/switchable/options', { json: { options: { HOST: 'unix:///tmp/workbay-no-such-engine.sock' } } });
    await sleepUntil(9000);
    const [a, b] = await Promise.all([sweep(), sweep()]);
    // The sweeps record the decision; the reconciler stops (one stop path).
    await pollUntil(async () => Promise.all(['idle1', 'idle2', 'idle3'].map(async (n) => (await get(n)).status)), (s) => s.every((x) => x === 'Stopped'), 20_000, 100);
    const stoppedNames = [];
    for (const name of Object.keys(ids)) if ((await get(name)).status === 'Stopped') stoppedNames.push(name);
    expect(stoppedNames.sort()).toEqual(['idle1', 'idle2', 'idle3']);
    expect(a.stopped + b.stopped).toBe(3);
    expect(a.failed + b.failed).toBeGreaterThanOrEqual(1);
    expect([...a.failures, ...b.failures].map((f: { workspaceId: string }) => f.workspaceId)).toContain(ids.broken);
    expect([...a.failures, ...b.failures][0].error).toMatch(/unreachable/);
    for (const name of ['idle1', 'idle2', 'idle3']) {
      const ws = await get(name);
      expect(ws).toMatchObject({ status: 'Stopped', stopReason: 'inactivity', desiredState: 'Stopped' });
      const ev = await events(name);
      expect(ev.filter((e) => e.type === 'workspace.stopped')).toHaveLength(1);
      expect(ev.find((e) => e.type === 'workspace.stopped')!.data.stopReason).toBe('inactivity');
      expect(ev.findIndex((e) => e.type === 'workspace.idle-warning')).toBeLessThan(ev.findIndex((e) => e.type === 'workspace.stopped'));
      expect((await (await containerOf(name)).inspect()).State.Status).toBe('exited');
    }
    expect((await get('broken')).status).toBe('Running');
    expect((await events('broken')).map((e) => e.type)).toContain('workspace.sweepFailed');
    for (const name of ['execd', 'beat', 'forever']) expect((await get(name)).status).toBe('Running');
  }, 30_000);

  it('activity inside the container (touching /tmp/devpod.activity with docker exec) keeps it running', async () => {
    const ws = await get('touched');
    expect(ws.status).toBe('Running');
    expect(ws.lastActivitySource).toBe('container');
    await sleepUntil(13000);
    await sweep();
    expect((await get('touched')).status).toBe('Running');
  }, 30_000);

  it('a 0 timeout is never stopped, long after every other deadline', async () => {
    expect((await get('forever')).status).toBe('Running');
    expect((await (await containerOf('forever')).inspect()).State.Running).toBe(true);
    expect((await pollUntil(() => get('execd'), (w) => w.status === 'Stopped', 20_000, 100)).status).toBe('Stopped');
  });

  it('a workspace stopped for inactivity starts again on exec ?autostart=true with its volume content', async () => {
    const r = await cp.call('POST', `/v1/workspaces/${ids.idle1}/exec?autostart=true`, { token, json: { command: ['cat', 'data.txt'] } });
    expect(r.body).toMatchObject({ exitCode: 0, stdout: 'precious\n' });
    const ws = await get('idle1');
    expect(ws.status).toBe('Running');
    expect(ws.stopReason).toBeUndefined();
    const started = await as('POST', `/v1/workspaces/${ids.idle2}/start?wait=25`);
    expect(started.body.status).toBe('Running');
  }, 60_000);
});
