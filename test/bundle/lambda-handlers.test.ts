/**
 * The built Lambda bundles, each imported in a fresh Node process and invoked with the events AWS
 * sends: HTTP API 2.0 requests, a DynamoDB stream batch, an EventBridge schedule. The table is a
 * dynalite and the workspaces are real containers on the test engine.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { httpEvent, scheduledEvent, streamEvent, streamRecord } from './events';
import { startHarness, type LambdaHarness } from './harness';
import type { LambdaProcess } from './lambda-process';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let h: LambdaHarness;
let api: LambdaProcess;
let reconciler: LambdaProcess;
let sweeper: LambdaProcess;
const ids: Record<string, string> = {};

/** Calls the api function; returns the status and the parsed body of its APIGatewayProxyResult. */
async function call(method: string, path: string, o: Parameters<typeof httpEvent>[2] = {}) {
  const r = await api.invoke(httpEvent(method, path, { token: h.adminToken, ...o }));
  if (r.error) throw new Error(r.error);
  const body = r.result.body ? JSON.parse(r.result.body) : undefined;
  return { status: r.result.statusCode as number, headers: r.result.headers as Record<string, string>, body };
}

const stored = (name: string) => h.store.workspaces.get(ids[name]!);

beforeAll(async () => {
  h = await startHarness({ env: { WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host', WORKBAY_IDLE_WARNING: '0s' } });
  api = h.start('api');
  reconciler = h.start('reconciler');
  sweeper = h.start('sweeper');
}, 120_000);

afterAll(async () => {
  await h?.close();
  for (const id of Object.values(ids)) {
    const { containers, volumes } = await objectsOf(docker, id);
    for (const c of containers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
    for (const v of volumes) await docker.getVolume(v).remove().catch(() => undefined);
  }
});

describe('api function (HTTP API payload 2.0)', () => {
  it('answers liveness and refuses a request without a token with a problem document', async () => {
    expect(await call('GET', '/healthz', { token: undefined })).toMatchObject({ status: 200, body: { status: 'ok' } });
    const denied = await call('GET', '/v1/workspaces', { token: undefined });
    expect(denied.status).toBe(401);
    expect(denied.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('adds a provider and records a workspace as Pending: nothing in the api process works on it', async () => {
    const yaml = `name: quick\nagent:\n  containerInactivityTimeout: 2\n  docker:\n    env:\n      DOCKER_HOST: ${inject('dockerHost')}\n`;
    expect((await call('POST', '/v1/providers', { yaml })).status).toBe(201);
    expect((await call('POST', '/v1/providers', { yaml: 'name: no-engine\n' })).status).toBe(201);
    const created = await call('POST', '/v1/workspaces', { json: { name: 'streamed', provider: 'quick', source: { image: IMAGE } } });
    expect(created).toMatchObject({ status: 202, body: { name: 'streamed', status: 'Pending', desiredState: 'Running' } });
    ids.streamed = created.body.id;
    await new Promise((r) => setTimeout(r, 500));
    const got = await call('GET', `/v1/workspaces/${ids.streamed}`);
    expect(got).toMatchObject({ status: 200, body: { id: ids.streamed, status: 'Pending', provider: 'quick' } });
    expect((await objectsOf(docker, ids.streamed!)).containers).toHaveLength(0);
    expect(api.output()).not.toContain(h.adminToken);
  });
});

describe('reconciler function (DynamoDB stream)', () => {
  it('reconciles the changed workspace of a batch to Running and ignores other items and removals', async () => {
    const item = await h.rawWorkspace(ids.streamed!);
    const event = streamEvent(
      streamRecord('INSERT', { pk: { S: `WS#${ids.streamed}` }, sk: { S: 'EV#01JZZZZZZZZZZZZZZZZZZZZZZZ' }, type: { S: 'workspace.created' } }),
      streamRecord('INSERT', item),
      streamRecord('MODIFY', { pk: { S: 'PROVIDER#quick' }, sk: { S: 'META' }, version: { N: '2' } }),
      streamRecord('REMOVE', { pk: { S: 'WS#01JYYYYYYYYYYYYYYYYYYYYYYY' }, sk: { S: 'META' } }),
    );
    const r = await reconciler.invoke(event);
    expect(r).toMatchObject({ result: { batchItemFailures: [] } });
    const ws = await stored('streamed');
    expect(ws).toMatchObject({ status: 'Running', desiredState: 'Running' });
    expect(ws!.leaseOwner).toBeUndefined();
    const { containers } = await objectsOf(docker, ids.streamed!);
    expect(containers.map((c) => c.State)).toEqual(['running']);
    expect(reconciler.output()).toMatch(/"msg":"stream batch","records":4,"reconciled":1,"failed":0/);
  }, 60_000);

  it('leaves a settled workspace alone when its own writes come back through the stream', async () => {
    const before = await stored('streamed');
    const r = await reconciler.invoke(streamEvent(streamRecord('MODIFY', await h.rawWorkspace(ids.streamed!))));
    expect(r.result).toEqual({ batchItemFailures: [] });
    expect((await stored('streamed'))!.version).toBe(before!.version);
  });

  it('turns a Docker provider without DOCKER_HOST into an Error that says so (no local engine on AWS)', async () => {
    const created = await call('POST', '/v1/workspaces', { json: { name: 'no-engine', provider: 'no-engine', source: { image: IMAGE } } });
    ids.noEngine = created.body.id;
    const r = await reconciler.invoke(streamEvent(streamRecord('INSERT', await h.rawWorkspace(ids.noEngine!))));
    expect(r.result).toEqual({ batchItemFailures: [] });
    const got = await call('GET', `/v1/workspaces/${ids.noEngine}`);
    expect(got.body).toMatchObject({ status: 'Error', statusReason: expect.stringMatching(/names no engine/) });
  }, 30_000);
});

describe('sweeper function (EventBridge schedule)', () => {
  it('stops the idle workspace and re-drives work the stream never delivered', async () => {
    const pending = await call('POST', '/v1/workspaces', { json: { name: 'missed', provider: 'quick', source: { image: IMAGE } } });
    ids.missed = pending.body.id;
    const deadline = Date.parse((await stored('streamed'))!.idleDeadline!);
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now() + 200)));
    const r = await sweeper.invoke(scheduledEvent());
    expect(r.error).toBeUndefined();
    // The sweep records the idle stop; the re-drive of the same run acts on it beside the missed create
    // (on AWS the stream delivers it too): one stop path, the reconciler's.
    expect(r.result).toMatchObject({ sweep: { stopped: 1, failed: 0 }, redriven: 2 });
    const streamed = await call('GET', `/v1/workspaces/${ids.streamed}`);
    expect(streamed.body).toMatchObject({ status: 'Stopped', stopReason: 'inactivity', desiredState: 'Stopped' });
    const [container] = (await objectsOf(docker, ids.streamed!)).containers;
    expect(container!.State).toBe('exited');
    expect((await stored('missed'))!.status).toBe('Running');
    expect(sweeper.output()).toMatch(/"msg":"scheduled run".*"stopped":1/);
  }, 60_000);
});

describe('cold start', () => {
  it('refuses to start without its table, naming the variable', async () => {
    const bad = h.start('api', { WORKBAY_TABLE: '' });
    const r = await bad.invoke(httpEvent('GET', '/healthz'));
    expect(r.error).toMatch(/WORKBAY_TABLE/);
    await bad.close();
  });
});
