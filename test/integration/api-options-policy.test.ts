import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { providerYaml } from '../support/fixtures';
import { dumpTable } from '../support/table-dump';
import { pollUntil } from '../support/wait';

const IMAGE = 'workbay-test/busybox:local';
const CANARY = 'canary-0b7e4d1c-file-content';
let cp: TestControlPlane;
let alice: string;
let dir: string;
let canaryFile: string;
const logs: string[] = [];

const SHARED = `name: shared
options:
  HOST:
    description: the engine; admins only
    default: ${inject('dockerHost')}
  TAG:
    userSettable: true
    default: stable
  PINNED:
    global: true
    userSettable: true
agent:
  docker:
    env:
      DOCKER_HOST: \${HOST}
      TAG: \${TAG}
      PINNED: \${PINNED}
`;
const PICK_ENGINE = `name: pick-engine
options:
  DOCKER_HOST:
    userSettable: true
    description: users bring their own engine (the admin decided so)
agent:
  docker:
    env:
      DOCKER_HOST: \${DOCKER_HOST}
`;
const KUBE = `name: kube-opts
options:
  KUBECONFIG:
    default: /nonexistent/kubeconfig
driver: kubernetes
config: \${KUBECONFIG}
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'workbay-opts-'));
  canaryFile = join(dir, 'kubeconfig');
  writeFileSync(canaryFile, `${CANARY}\ntoken: ${CANARY}\n`);
  cp = await startControlPlane({ log: (e) => logs.push(JSON.stringify(e)) });
  for (const yaml of [providerYaml('devpod-docker'), SHARED, PICK_ENGINE, KUBE]) {
    const r = await cp.call('POST', '/v1/providers', { yaml });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  alice = await cp.tokenFor('alice');
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** The table without token items, whose last-use time changes on every authenticated request. */
const tableState = async () => (await dumpTable(cp.store)).filter((i) => i.kind !== 'token');

const create = (token: string, provider: string, options: Record<string, string>, name: string, wait = 0) =>
  cp.call('POST', `/v1/workspaces${wait ? `?wait=${wait}` : ''}`, { token, json: { provider, name, source: { image: IMAGE }, options } });

describe('options a workspace may not set are refused, and nothing changes', () => {
  const cases: { what: string; provider: string; options: Record<string, string>; field: string; reason: RegExp }[] = [
    { what: 'DOCKER_HOST of DevPod\'s docker provider (global)', provider: 'docker', options: { DOCKER_HOST: 'tcp://169.254.169.254:80' }, field: 'options.DOCKER_HOST', reason: /global/ },
    { what: 'an option the admin did not mark userSettable', provider: 'shared', options: { HOST: 'tcp://10.1.2.3:2375' }, field: 'options.HOST', reason: /not user-settable/ },
    { what: 'a global option even when marked', provider: 'shared', options: { PINNED: 'x' }, field: 'options.PINNED', reason: /global/ },
    { what: 'an option the provider does not declare', provider: 'shared', options: { NOT_THERE: 'x' }, field: 'options.NOT_THERE', reason: /has no option NOT_THERE/ },
    { what: 'a file: reference in a userSettable option', provider: 'shared', options: { TAG: `file:${'/etc/passwd'}` }, field: 'options.TAG', reason: /never as a file:, env: or aws-sm: reference/ },
    { what: 'an env: reference in a userSettable option', provider: 'shared', options: { TAG: 'env:HOME' }, field: 'options.TAG', reason: /reference/ },
    { what: 'a path for an option feeding the kubeconfig', provider: 'kube-opts', options: { KUBECONFIG: '' }, field: 'options.KUBECONFIG', reason: /not user-settable/ },
  ];

  it.each(cases)('$what -> 400 naming $field', async ({ provider, options, field, reason }) => {
    await cp.settle();
    const before = await tableState();
    const r = await create(alice, provider, options, 'refused');
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('option.notUserSettable');
    const e = r.body.errors.find((x: { field: string }) => x.field === field);
    expect(e, JSON.stringify(r.body)).toBeDefined();
    expect(e.message).toMatch(reason);
    expect(JSON.stringify(r.body)).not.toMatch(/169\.254|10\.1\.2\.3|\/etc\/passwd/);
    expect(await tableState()).toEqual(before);
  });

  it('an admin token follows the same rule, with a hint on how to allow it', async () => {
    const r = await create(cp.adminToken, 'shared', { HOST: 'tcp://10.1.2.3:2375' }, 'admin-refused');
    expect(r.status).toBe(400);
    expect(r.body.errors[0]).toMatchObject({ field: 'options.HOST' });
    expect(r.body.errors[0].hint).toMatch(/userSettable: true/);
  });

  it('no user value reaches a file read: a control-plane file named by a user is never read or echoed', async () => {
    const r = await create(alice, 'kube-opts', { KUBECONFIG: canaryFile }, 'reader');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].field).toBe('options.KUBECONFIG');
    const marked = await cp.call('POST', '/v1/providers', { yaml: KUBE.replace('name: kube-opts', 'name: kube-user').replace('    default:', '    userSettable: true\n    default:') });
    expect(marked.status).toBe(400);
    expect(marked.body.errors[0]).toMatchObject({ field: 'options.KUBECONFIG.userSettable' });
    expect(marked.body.errors[0].message).toMatch(/agent\.kubernetes\.config/);
    expect((await cp.call('GET', '/v1/workspaces', { token: alice })).body.items).toEqual([]);
    expect(JSON.stringify([r.body, marked.body]) + logs.join('\n')).not.toContain(CANARY);
  });
});

describe('options the admin declared user-settable work', () => {
  it('a userSettable option is applied and shown on the workspace', async () => {
    const r = await create(alice, 'shared', { TAG: 'edge' }, 'tagged', 25);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.options).toEqual({ TAG: 'edge' });
    const del = await cp.call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`, { token: alice });
    expect(del.status, JSON.stringify(del.body)).toBe(204);
  }, 60_000);

  it('DOCKER_HOST marked userSettable: the user\'s engine is used', async () => {
    const r = await create(alice, 'pick-engine', { DOCKER_HOST: inject('dockerHost') }, 'own-engine', 25);
    expect(r.body.statusReason).toBeUndefined();
    expect(r.body.status).toBe('Running');
    const conn = await cp.call('GET', `/v1/workspaces/${r.body.id}/connection`, { token: alice });
    expect(conn.body.env.DOCKER_HOST).toBe(inject('dockerHost'));
    expect((await cp.call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`, { token: alice })).status).toBe(204);
  }, 90_000);

  it('a stored value the provider does not let workspaces set is dropped, not applied', async () => {
    const r = await create(alice, 'shared', {}, 'legacy', 25);
    expect(r.body.status).toBe('Running');
    // A record written before the rule existed: its HOST would point the control plane elsewhere.
    // Written behind workbay's back, retried while the worker may still be ending its pass (lease release).
    expect(await pollUntil(async () => {
      const ws = (await cp.store.workspaces.get(r.body.id))!;
      return cp.store.workspaces.update(ws, { ...ws, options: { HOST: 'unix:///nonexistent/workbay-legacy.sock', TAG: 'kept' } }).then(() => true, () => false);
    }, (done) => done, 10_000)).toBe(true);
    expect((await cp.call('POST', `/v1/workspaces/${r.body.id}/stop?wait=25`, { token: alice })).body.status).toBe('Stopped');
    const started = await cp.call('POST', `/v1/workspaces/${r.body.id}/start?wait=25`, { token: alice });
    expect(started.body.statusReason).toBeUndefined();
    expect(started.body.status).toBe('Running');
    const conn = await cp.call('GET', `/v1/workspaces/${r.body.id}/connection`, { token: alice });
    expect(conn.body.env.DOCKER_HOST).toBe(inject('dockerHost'));
    expect((await cp.call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`, { token: alice })).status).toBe(204);
  }, 120_000);
});
