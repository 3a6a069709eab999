import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { pollUntil } from '../support/wait';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let token: string;
let toucher: NodeJS.Timeout | undefined;

const as = (method: string, path: string, json?: unknown) => cp.call(method, path, { token, json });
const sweep = async () => (await cp.call('POST', '/v1/sweeps')).body;
const get = async (id: string) => as('GET', `/v1/workspaces/${id}`);
/** Read from the table: a deleted workspace's events are no longer served by the API. */
const events = async (id: string) => cp.store.events.list(id, { limit: 500 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepUntil = async (at: number) => { if (at > Date.now()) await sleep(at - Date.now()); };

async function create(provider: string, name: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await as('POST', '/v1/workspaces?wait=25', { provider, name, source: { image: IMAGE }, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

async function stop(id: string): Promise<any> {
  await as('POST', `/v1/workspaces/${id}/stop?wait=25`);
  return (await pollUntil(() => get(id), (r) => r.status !== 200 || r.body.status === 'Stopped', 30_000, 100)).body;
}

async function dockerTouch(id: string) {
  const c = docker.getContainer((await objectsOf(docker, id)).containers[0]!.Id);
  const exec = await c.exec({ Cmd: ['touch', '/tmp/devpod.activity'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((r) => { stream.on('end', r); stream.resume(); });
}

beforeAll(async () => {
  cp = await startControlPlane();
  const providers = {
    retain: 'name: retain\ncontainerInactivityTimeout: 0\nworkbay:\n  lifecycle:\n    retention: { default: 5s, max: 1h }\n    retentionWarning: 3s\n    keep: owners\n',
    ephemeral: 'name: ephemeral\ncontainerInactivityTimeout: 0\nworkbay:\n  lifecycle:\n    retention: { default: 0 }\n',
    lifetime: 'name: lifetime\ncontainerInactivityTimeout: 2\nworkbay:\n  lifecycle:\n    maxLifetime: { default: 5s, max: 12h }\n',
  };
  for (const yaml of Object.values(providers)) expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
  token = await cp.tokenFor('dev');
}, 60_000);

afterAll(async () => {
  clearInterval(toucher);
  await cp?.dispose();
});

describe('scheduled cleanup: retention and maximum lifetime', () => {
  it('refuses a retention beyond the provider ceiling and reports a bad lifecycle section with its line', async () => {
    const r = await as('POST', '/v1/workspaces', { provider: 'retain', name: 'too-long', source: { image: IMAGE }, retention: '2h' });
    expect(r.status).toBe(403);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'retention', rule: 'policy.lifecycle.retention' })]);
    const never = await as('POST', '/v1/workspaces', { provider: 'retain', name: 'forever', source: { image: IMAGE }, retention: '' });
    expect(never.status).toBe(403);
    const bad = await cp.call('POST', '/v1/providers', { yaml: 'name: bad\nworkbay:\n  lifecycle:\n    retention: { default: 30 days }\n' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'workbay.lifecycle.retention.default', line: 4 });
  });

  it('deletes a stopped workspace after its 5-second retention, warning first; a kept one stays', async () => {
    const [gone, kept] = await Promise.all([create('retain', 'retained'), create('retain', 'kept')]);
    const keep = await as('PATCH', `/v1/workspaces/${kept.id}`, { keep: true });
    expect(keep.status).toBe(200);
    expect(keep.body.keep).toBe(true);
    const [stopped, keptStopped] = await Promise.all([stop(gone.id), stop(kept.id)]);
    expect(stopped.status).toBe('Stopped');
    expect(Date.parse(stopped.deleteAfter) - Date.parse(stopped.stoppedAt)).toBe(5000);
    expect(keptStopped.deleteAfter).toBeUndefined();
    const stoppedAt = Date.parse(stopped.stoppedAt);

    // Inside the 3-second warning lead: one warning, nothing deleted.
    await sleepUntil(stoppedAt + 2500);
    const early = await sweep();
    expect(early).toMatchObject({ deleted: 0 });
    expect(early.warned).toBeGreaterThanOrEqual(1);
    expect((await get(gone.id)).body.status).toBe('Stopped');
    expect((await sweep()).warned).toBe(0);

    await sleepUntil(stoppedAt + 5200);
    const due = await sweep();
    expect(due.deleted).toBe(1);
    expect((await pollUntil(() => get(gone.id), (r) => r.status === 404, 30_000, 100)).status).toBe(404);
    // The record is removed a moment before its workspace.deleted event is written (finalizeDelete).
    const ev = await pollUntil(() => events(gone.id), (l) => l.some((e) => e.type === 'workspace.deleted'), 10_000, 100);
    const types = ev.map((e) => e.type);
    expect(types.filter((t) => t === 'workspace.retention-warning')).toHaveLength(1);
    expect(types.indexOf('workspace.retention-warning')).toBeLessThan(types.indexOf('workspace.deleted'));
    expect(ev.find((e) => e.type === 'workspace.deleted')!.data).toMatchObject({ deleteReason: 'retention' });
    expect(await objectsOf(docker, gone.id)).toEqual({ containers: [], volumes: [] });

    // The kept one survives every sweep, with its container and volume.
    expect((await sweep()).deleted).toBe(0);
    const still = await get(kept.id);
    expect(still.body).toMatchObject({ status: 'Stopped', keep: true });
    const objs = await objectsOf(docker, kept.id);
    expect(objs.containers).toHaveLength(1);
    expect(objs.volumes.length).toBeGreaterThanOrEqual(1);
    // Unkept long after its retention ran out: warned, then deleted by the same sweep.
    await as('PATCH', `/v1/workspaces/${kept.id}`, { keep: false });
    expect(await sweep()).toMatchObject({ deleted: 1 });
    expect((await pollUntil(() => get(kept.id), (r) => r.status === 404, 30_000, 100)).status).toBe(404);
    expect((await events(kept.id)).map((e) => e.type)).toContain('workspace.retention-warning');
  }, 120_000);

  it('stops a busy workspace at its 5-second maximum lifetime, whatever its activity', async () => {
    const ws = await create('lifetime', 'busy');
    expect(ws.maxLifetimeSeconds).toBe(5);
    expect(Date.parse(ws.stopAt) - Date.parse(ws.startedAt)).toBe(5000);
    toucher = setInterval(() => void dockerTouch(ws.id).catch(() => undefined), 300);
    const startedAt = Date.parse(ws.startedAt);
    // Past its 2-second idle deadline but not its lifetime: the activity file keeps it running.
    await sleepUntil(startedAt + 2600);
    const idle = await sweep();
    expect(idle).toMatchObject({ extended: 1, stopped: 0 });
    expect((await get(ws.id)).body).toMatchObject({ status: 'Running', lastActivitySource: 'container' });

    await sleepUntil(startedAt + 5200);
    expect(await sweep()).toMatchObject({ stopped: 1 });
    const stopped = (await pollUntil(() => get(ws.id), (r) => r.body.status === 'Stopped', 30_000, 100)).body;
    clearInterval(toucher);
    expect(stopped).toMatchObject({ status: 'Stopped', desiredState: 'Stopped', stopReason: 'maxLifetime' });
    expect(stopped.stopAt).toBeUndefined();
    // A poll of the record may see Stopped a moment before the event beside it is written.
    const ev = await pollUntil(() => events(ws.id), (l) => l.some((e) => e.type === 'workspace.stopped'), 10_000, 100);
    expect(ev.filter((e) => e.type === 'workspace.stopped').map((e) => e.data?.stopReason)).toEqual(['maxLifetime']);
    const c = (await objectsOf(docker, ws.id)).containers[0]!;
    expect(c.State).toBe('exited');
  }, 120_000);

  it('deletes an ephemeral workspace (retention 0) on stop, without waiting for a sweep', async () => {
    const ws = await create('ephemeral', 'ephemeral');
    expect(ws.retentionSeconds).toBe(0);
    await as('POST', `/v1/workspaces/${ws.id}/stop`);
    expect((await pollUntil(() => get(ws.id), (r) => r.status === 404, 30_000, 100)).status).toBe(404);
    const ev = await pollUntil(() => events(ws.id), (l) => l.some((e) => e.type === 'workspace.deleted'), 10_000, 100);
    expect(ev.map((e) => e.type)).toEqual(expect.arrayContaining(['workspace.stopped', 'workspace.deleted']));
    expect(ev.find((e) => e.type === 'workspace.deleted')!.data).toMatchObject({ deleteReason: 'retention' });
    expect(await objectsOf(docker, ws.id)).toEqual({ containers: [], volumes: [] });
  }, 60_000);

  it('a user may not keep a workspace on a provider that leaves keep to admins', async () => {
    const ws = await create('ephemeral', 'not-kept', { retention: 60 });
    expect((await as('PATCH', `/v1/workspaces/${ws.id}`, { keep: true })).status).toBe(403);
    expect((await cp.call('PATCH', `/v1/workspaces/${ws.id}`, { json: { keep: true } })).body.keep).toBe(true);
    await as('DELETE', `/v1/workspaces/${ws.id}?wait=25`);
  }, 60_000);
});
