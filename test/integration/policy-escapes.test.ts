import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { dumpTable } from '../support/table-dump';

const IMAGE = 'workbay-test/busybox:local';
const docker = testDocker();
let cp: TestControlPlane;
let alice: string;
let git: GitServer;

const LOCKED = 'name: locked\ncontainerInactivityTimeout: 300\n';
const OPEN = `name: open
containerInactivityTimeout: 300
workbay:
  policy:
    mounts: { types: [bind, volume, tmpfs], hostPaths: [/, /var/run/docker.sock] }
    privileged: true
    capabilities: [SYS_ADMIN]
    networks: [host]
`;

/** The three escapes of issue 9, each with the fields a refusal must name. */
const ESCAPES = [
  {
    name: 'host-binds',
    devcontainer: { image: IMAGE, mounts: ['source=/,target=/host,type=bind', 'source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind'] },
    refused: ['devcontainer.mounts[0]', 'devcontainer.mounts[1]'],
  },
  {
    name: 'run-args',
    devcontainer: { image: IMAGE, runArgs: ['--network=host', '--cap-add=SYS_ADMIN', '--privileged'] },
    refused: ['devcontainer.runArgs[0]', 'devcontainer.runArgs[1]', 'devcontainer.runArgs[2]'],
  },
  { name: 'privileged', devcontainer: { image: IMAGE, privileged: true }, refused: ['devcontainer.privileged'] },
];

beforeAll(async () => {
  cp = await startControlPlane();
  for (const yaml of [LOCKED, OPEN]) expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
  alice = await cp.tokenFor('alice');
  git = await startGitServer();
});
afterAll(async () => {
  for (const ws of (await cp.call('GET', '/v1/workspaces', { token: alice })).body?.items ?? []) await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=20`, { token: alice });
  await cp?.dispose();
  await git?.close();
});

/** Containers this test's control plane made (other test files share the engine and make their own). */
async function managedContainers(): Promise<number> {
  const label = ['workbay.dev/managed-by=workbay', `workbay.dev/instance=${await cp.store.instance.id()}`];
  return (await docker.listContainers({ all: true, filters: { label } })).length;
}

/** The container the engine was asked to create for a workspace, once it exists. */
async function containerOf(id: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [c] = (await objectsOf(docker, id)).containers;
    if (c) return docker.getContainer(c.Id).inspect();
    if (Date.now() > until) throw new Error(`no container for ${id}: ${JSON.stringify((await cp.call('GET', `/v1/workspaces/${id}`, { token: alice })).body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('escapes sent with a user token to a provider without a policy', () => {
  for (const escape of ESCAPES) {
    it(`${escape.name}: 403 policy.denied naming each field and rule; nothing is written or created`, async () => {
      await cp.settle();
      const before = await dumpTable(cp.store);
      const containers = await managedContainers();
      const r = await cp.call('POST', '/v1/workspaces', {
        token: alice, headers: { 'idempotency-key': `k-${escape.name}` },
        json: { provider: 'locked', name: escape.name, source: { image: IMAGE }, devcontainer: escape.devcontainer },
      });
      expect(r.status).toBe(403);
      expect(r.headers.get('content-type')).toBe('application/problem+json');
      expect(r.body.code).toBe('policy.denied');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual(escape.refused);
      for (const e of r.body.errors) expect(e.rule).toMatch(/^policy\./);
      expect(await dumpTable(cp.store)).toEqual(before);
      expect(await managedContainers()).toBe(containers);
    });
  }

  it('the rules are named: host paths, networks, capabilities, privileged', async () => {
    const r = await cp.call('POST', '/v1/workspaces', {
      token: alice, json: { provider: 'locked', source: { image: IMAGE }, devcontainer: ESCAPES[1]!.devcontainer },
    });
    expect(r.body.errors.map((e: { rule: string }) => e.rule)).toEqual(['policy.networks', 'policy.capabilities', 'policy.privileged']);
    expect(r.body.errors[2].message).toMatch(/privileged containers are not allowed/);
  });
});

describe('the same requests to a provider whose policy allows them', () => {
  it('are accepted, and the engine is asked for exactly that container', async () => {
    const ids: string[] = [];
    // This host has no /var/run/docker.sock; the test engine's own socket stands in for it (the policy allows any path under /).
    const socket = new URL(inject('dockerHost')).pathname;
    for (const escape of ESCAPES) {
      const devcontainer = JSON.parse(JSON.stringify(escape.devcontainer).replace('source=/var/run/docker.sock', `source=${socket}`));
      const r = await cp.call('POST', '/v1/workspaces', {
        token: alice, json: { provider: 'open', name: `open-${escape.name}`, source: { image: IMAGE }, devcontainer },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      ids.push(r.body.id);
    }
    // Privileged containers cannot start in this sandbox: the spec sent to the engine is the evidence.
    const [binds, runArgs, privileged] = await Promise.all(ids.map((id) => containerOf(id)));
    expect(binds!.HostConfig.Mounts).toEqual(expect.arrayContaining([
      expect.objectContaining({ Type: 'bind', Source: '/', Target: '/host' }),
      expect.objectContaining({ Type: 'bind', Source: socket, Target: '/var/run/docker.sock' }),
    ]));
    expect(runArgs!.HostConfig).toMatchObject({ NetworkMode: 'host', CapAdd: ['SYS_ADMIN'], Privileged: true });
    expect(privileged!.HostConfig.Privileged).toBe(true);
  });
});

describe("the image's devcontainer.metadata label", () => {
  for (const [image, field] of [
    ['workbay-test/label-privileged:local', 'image.metadata[1].privileged'],
    ['workbay-test/label-hostbind:local', 'image.metadata[0].mounts[0]'],
  ] as const) {
    it(`${image}: the engine has it, so it is refused up front like the request — 403 policy.denied naming the label's field, nothing written`, async () => {
      const before = (await cp.call('GET', '/v1/workspaces', { token: alice })).body.items.length;
      const r = await cp.call('POST', '/v1/workspaces?wait=20', { token: alice, json: { provider: 'locked', source: { image } } });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('policy.denied');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await cp.call('GET', '/v1/workspaces', { token: alice })).body.items.length).toBe(before);
    });
  }

  it('is merged into the container when the policy allows what it asks', async () => {
    const r = await cp.call('POST', '/v1/workspaces', { token: alice, json: { provider: 'open', name: 'label-allowed', source: { image: 'workbay-test/label-privileged:local' } } });
    expect(r.status).toBe(202);
    expect((await containerOf(r.body.id)).HostConfig.Privileged).toBe(true);
  });
});

describe("a git source's own devcontainer.json (the API cannot see it)", () => {
  it('is judged in the driver before a container exists: Error policy.denied naming the field', async () => {
    const url = git.repo('escape-repo', { '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, mounts: ['source=/,target=/host,type=bind'] }) });
    const r = await cp.call('POST', '/v1/workspaces?wait=20', { token: alice, json: { provider: 'locked', name: 'from-git', source: { git: { url } } } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ status: 'Error', statusReason: expect.stringContaining('devcontainer.mounts[0]') });
    const events = (await cp.call('GET', `/v1/workspaces/${r.body.id}/events`, { token: alice })).body.items;
    expect(events).toContainEqual(expect.objectContaining({ type: 'workspace.error', data: expect.objectContaining({ code: 'policy.denied' }) }));
    expect((await objectsOf(docker, r.body.id)).containers).toEqual([]);
  });
});
