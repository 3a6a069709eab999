import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { dumpTable } from '../support/table-dump';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let alice: string;
let bob: string;
let carol: string;

const QUOTA = `name: quota
containerInactivityTimeout: 0
workbay:
  policy:
    quotas: { workspaces: 2, running: 1 }
`;
const LIMITS = `name: limits
containerInactivityTimeout: 0
workbay:
  policy:
    resources: { cpus: { default: "1", max: "2" }, memory: { default: 256Mi, max: 512Mi } }
    maxInactivityTimeout: 1h
    quotas: { workspaces: 2, running: 2 }
`;

const SWEEPY = `name: sweepy
containerInactivityTimeout: 2s
workbay:
  policy:
    quotas: { running: 1 }
`;

beforeAll(async () => {
  cp = await startControlPlane();
  for (const yaml of [QUOTA, LIMITS, SWEEPY]) expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
  [alice, bob, carol] = await Promise.all(['alice', 'bob', 'carol'].map((o) => cp.tokenFor(o))) as [string, string, string];
});
afterAll(async () => {
  for (const token of [alice, bob, carol]) {
    for (const ws of (await cp.call('GET', '/v1/workspaces', { token })).body?.items ?? []) await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=20`, { token });
  }
  await cp?.dispose();
});

const create = (token: string, name: string, provider = 'quota', extra: Record<string, unknown> = {}) =>
  cp.call('POST', '/v1/workspaces?wait=20', { token, json: { provider, name, source: { image: IMAGE }, ...extra } });

async function refusedUnchanged(call: () => Promise<{ status: number; body: any }>, rule: string): Promise<void> {
  await cp.settle();
  const before = await dumpTable(cp.store);
  const r = await call();
  expect(r.status, JSON.stringify(r.body)).toBe(403);
  expect(r.body).toMatchObject({ code: 'quota.exceeded', errors: [expect.objectContaining({ rule })] });
  expect(await dumpTable(cp.store)).toEqual(before);
}

describe('quotas per owner: the (N+1)th is 403 quota.exceeded; stopping or deleting frees room', () => {
  let w1: string;
  let w2: string;

  it('running: a second running workspace is refused until the first stops', async () => {
    const r1 = await create(alice, 'w1');
    expect(r1.status).toBe(201);
    w1 = r1.body.id;
    await refusedUnchanged(() => create(alice, 'w2'), 'policy.quotas.running');
    expect((await cp.call('POST', `/v1/workspaces/${w1}/stop?wait=20`, { token: alice })).status).toBe(200);
    const r2 = await create(alice, 'w2');
    expect(r2.status).toBe(201);
    w2 = r2.body.id;
  });

  it('a start beyond the running quota is refused and changes nothing', async () => {
    await refusedUnchanged(() => cp.call('POST', `/v1/workspaces/${w1}/start`, { token: alice }), 'policy.quotas.running');
    expect((await cp.call('GET', `/v1/workspaces/${w1}`, { token: alice })).body).toMatchObject({ status: 'Stopped', desiredState: 'Stopped' });
  });

  it('workspaces: a third workspace is refused; deleting one frees room', async () => {
    expect((await cp.call('POST', `/v1/workspaces/${w2}/stop?wait=20`, { token: alice })).status).toBe(200);
    await refusedUnchanged(() => create(alice, 'w3'), 'policy.quotas.workspaces');
    expect((await cp.call('DELETE', `/v1/workspaces/${w2}?wait=20`, { token: alice })).status).toBe(204);
    expect((await create(alice, 'w3')).status).toBe(201);
  });

  it('quotas are per owner', async () => {
    expect((await create(bob, 'w1')).status).toBe(201);
  });

  it('concurrent creates do not slip past the quota together', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => cp.call('POST', '/v1/workspaces', {
      token: carol, json: { provider: 'limits', name: `c${i}`, source: { image: IMAGE } },
    })));
    expect(results.map((r) => r.status).sort()).toEqual([202, 202, 403, 403, 403]);
    await cp.settle();
    expect((await cp.call('GET', '/v1/workspaces', { token: carol })).body.items).toHaveLength(2);
  });
});

describe('room freed by a stop that did not pass through the API', () => {
  it('a workspace stopped for inactivity by the sweeper no longer counts as running', async () => {
    const first = await create(carol, 'idle-1', 'sweepy');
    expect(first.status).toBe(201);
    await refusedUnchanged(() => create(carol, 'idle-2', 'sweepy'), 'policy.quotas.running');
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await cp.call('POST', '/v1/sweeps')).body).toMatchObject({ stopped: 1 });
    await cp.settle();
    expect((await cp.call('GET', `/v1/workspaces/${first.body.id}`, { token: carol })).body).toMatchObject({ status: 'Stopped', stopReason: 'inactivity' });
    expect((await create(carol, 'idle-2', 'sweepy')).status).toBe(201);
  });
});

describe('resources and the inactivity ceiling', () => {
  it('defaults become HostConfig limits and clamp the timeout; requests above the ceilings are policy.denied', async () => {
    const d = await create(bob, 'lim-default', 'limits');
    expect(d.status, JSON.stringify(d.body)).toBe(201);
    const [c] = (await objectsOf(docker, d.body.id)).containers;
    expect((await docker.getContainer(c!.Id).inspect()).HostConfig).toMatchObject({ NanoCpus: 1e9, Memory: 256 * 2 ** 20 });
    expect(d.body.inactivityTimeoutSeconds).toBe(3600);

    const over = await cp.call('POST', '/v1/workspaces', {
      token: bob, json: { provider: 'limits', name: 'lim-over', source: { image: IMAGE }, devcontainer: { image: IMAGE, hostRequirements: { cpus: 4, memory: '1gb' } }, inactivityTimeout: '2h' },
    });
    expect(over.status).toBe(403);
    expect(over.body.code).toBe('policy.denied');
    expect(over.body.errors.map((e: { field: string; rule: string }) => `${e.field} ${e.rule}`)).toEqual([
      'devcontainer.hostRequirements.cpus policy.resources.cpus.max',
      'devcontainer.hostRequirements.memory policy.resources.memory.max',
      'inactivityTimeout policy.maxInactivityTimeout',
    ]);
  });
});
