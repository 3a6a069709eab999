import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startTlsEngine, type TlsEngine } from '../support/tls-dockerd';

const IMAGE = 'workbay-test/busybox:local';
const ADMIN_TOKEN_VALUE = 'wbsecret-admin-4f9c1e8a';
const USER_TOKEN_VALUE = 'wbsecret-user-7d2a0b6c';
const KUBE_TOKEN = 'wbsecret-kube-91be3f07';
const BROKEN_KUBE_TOKEN = 'wbsecret-kube-broken-5c1d';
const FILE_KUBE_TOKEN = 'wbsecret-kube-file-2e8a';

let engine: TlsEngine;
let cp: TestControlPlane;
let alice: string;
let dir: string;
let clientKey: string;
/** Every response body, event and log line of the run, as text. */
const seen: string[] = [];

const inlineKubeconfig = (token: string) =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u\n  user:\n    token: ${token}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`;

async function call(method: string, path: string, opts: Parameters<TestControlPlane['call']>[2] = {}) {
  const r = await cp.call(method, path, opts);
  seen.push(`${method} ${path} -> ${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`);
  return r;
}

/** Every secret of the run, and each long line of the TLS key (a part of it is as bad as all of it). */
function secrets(): string[] {
  return [
    ADMIN_TOKEN_VALUE, USER_TOKEN_VALUE, 'abcdefghijklmnop0123456789', KUBE_TOKEN, BROKEN_KUBE_TOKEN, FILE_KUBE_TOKEN, 'PRIVATE KEY',
    ...clientKey.split('\n').filter((l) => l.length > 20),
  ];
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'workbay-hygiene-'));
  engine = await startTlsEngine(24000 + Math.floor(Math.random() * 500), testDocker(), [IMAGE]);
  clientKey = readFileSync(join(engine.goodCertDir, 'key.pem'), 'utf8');
  // Not a kubeconfig: the parser's error would quote the line holding the token.
  writeFileSync(join(dir, 'kubeconfig'), `clusters:\n  - name: c\n    token: ${FILE_KUBE_TOKEN}: [unclosed\n`);
  cp = await startControlPlane({
    log: (e) => seen.push(`log ${JSON.stringify(e)}`),
    env: { HYGIENE_TLS_KEY: clientKey, HYGIENE_KUBECONFIG: `${inlineKubeconfig(BROKEN_KUBE_TOKEN)}users: [: oops\n` },
  });
  alice = await cp.tokenFor('alice');
}, 180_000);
afterAll(async () => {
  await cp?.dispose();
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const TLS_PROVIDER = () => `name: hygiene
options:
  HOST:
    default: ${engine.host}
  REGISTRY_TOKEN:
    password: true
    required: true
  USER_TOKEN:
    password: true
    userSettable: true
  LABEL:
    userSettable: true
agent:
  containerInactivityTimeout: 10m
  docker:
    env:
      DOCKER_HOST: \${HOST}
      DOCKER_TLS_CA: file:${join(engine.goodCertDir, 'ca.pem')}
      DOCKER_TLS_CERT: file:${join(engine.goodCertDir, 'cert.pem')}
      DOCKER_TLS_KEY: env:HYGIENE_TLS_KEY
      REGISTRY_TOKEN: \${REGISTRY_TOKEN}
      USER_TOKEN: \${USER_TOKEN}
      LABEL: \${LABEL}
`;

describe('a full lifecycle leaks no secret into any response, event or log line', () => {
  it('runs add, list, create, get, list, connection, exec, logs, events, stop, start, delete', async () => {
    const added = await call('POST', '/v1/providers', { json: { yaml: TLS_PROVIDER(), options: { REGISTRY_TOKEN: ADMIN_TOKEN_VALUE } } });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    expect(added.body.agent.docker.env).toMatchObject({ REGISTRY_TOKEN: '********', USER_TOKEN: '********', DOCKER_TLS_KEY: 'env:HYGIENE_TLS_KEY', DOCKER_HOST: engine.host });
    await call('GET', '/v1/providers', { token: alice });
    await call('GET', '/v1/providers/hygiene', { token: alice });

    const created = await call('POST', '/v1/workspaces?wait=25', {
      token: alice, json: { provider: 'hygiene', name: 'clean', source: { image: IMAGE }, options: { USER_TOKEN: USER_TOKEN_VALUE, LABEL: 'blue' } },
    });
    expect(created.body.statusReason).toBeUndefined();
    expect(created.body.status).toBe('Running');
    expect(created.body.options).toEqual({ USER_TOKEN: '********', LABEL: 'blue' });
    const id = created.body.id as string;

    expect((await call('GET', `/v1/workspaces/${id}`, { token: alice })).body.options.USER_TOKEN).toBe('********');
    expect((await call('GET', `/v1/workspaces/${id}`)).body.options.USER_TOKEN).toBe('********');
    for (const list of [await call('GET', '/v1/workspaces', { token: alice }), await call('GET', '/v1/workspaces?owner=alice')]) {
      expect(list.body.items.find((w: { id: string }) => w.id === id).options.USER_TOKEN).toBe('********');
    }
    const conn = await call('GET', `/v1/workspaces/${id}/connection`, { token: alice });
    expect(conn.body.env).toEqual({ DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: '1' });
    const exec = await call('POST', `/v1/workspaces/${id}/exec`, { token: alice, json: { command: ['echo', 'hello'] } });
    expect(exec.body.stdout).toBe('hello\n');
    await call('GET', `/v1/workspaces/${id}/logs`, { token: alice });
    expect((await call('POST', `/v1/workspaces/${id}/stop?wait=25`, { token: alice })).body.status).toBe('Stopped');
    expect((await call('POST', `/v1/workspaces/${id}/start?wait=25`, { token: alice })).body.status).toBe('Running');
    const events = await call('GET', `/v1/workspaces/${id}/events?limit=500`, { token: alice });
    expect(events.body.items.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['workspace.created', 'workspace.stopped', 'workspace.running']));
    expect((await call('DELETE', `/v1/workspaces/${id}?wait=25`, { token: alice })).status).toBe(204);
  }, 180_000);

  it('refuses inline secret material at add time without echoing it, and changes nothing', async () => {
    const inlineKey = `name: inline-key\nagent:\n  docker:\n    env:\n      DOCKER_TLS_KEY: |\n${clientKey.trimEnd().replace(/^/gm, '        ')}\n`;
    const key = await call('POST', '/v1/providers', { yaml: inlineKey });
    expect(key.status).toBe(400);
    expect(key.body.errors[0]).toMatchObject({ field: 'agent.docker.env.DOCKER_TLS_KEY', line: 5 });
    expect(key.body.errors[0].hint).toMatch(/file:.*env:.*aws-sm:/);

    const kube = await call('POST', '/v1/providers', { yaml: `name: inline-kube\ndriver: kubernetes\nconfig: |\n${inlineKubeconfig(KUBE_TOKEN).replace(/^/gm, '  ')}` });
    expect(kube.status).toBe(400);
    expect(kube.body.errors.map((e: { field: string }) => e.field)).toContain('agent.kubernetes.config');

    const viaPassword = await call('POST', '/v1/providers', {
      json: { yaml: 'name: inline-pw\noptions:\n  KCFG:\n    password: true\ndriver: kubernetes\nconfig: ${KCFG}\n', options: { KCFG: inlineKubeconfig(KUBE_TOKEN) } },
    });
    expect(viaPassword.status).toBe(400);
    expect(viaPassword.body.errors.map((e: { field: string }) => e.field)).toContain('options.KCFG');
    for (const name of ['inline-key', 'inline-kube', 'inline-pw']) expect((await call('GET', `/v1/providers/${name}`)).status).toBe(404);

    const before = await call('GET', '/v1/providers/hygiene');
    const set = await call('PUT', '/v1/providers/hygiene/options', { json: { options: { LABEL: inlineKubeconfig(KUBE_TOKEN) } } });
    expect(set.status).toBe(400);
    expect(set.body.errors[0]).toMatchObject({ field: 'options.LABEL' });
    expect((await call('GET', '/v1/providers/hygiene')).body).toEqual(before.body);
  });

  it('errors about a kubeconfig name its source and quote none of it', async () => {
    for (const [name, config, source] of [
      ['kube-env', 'env:HYGIENE_KUBECONFIG', 'kubeconfig env:HYGIENE_KUBECONFIG'],
      ['kube-file', join(dir, 'kubeconfig'), `kubeconfig file:${join(dir, 'kubeconfig')}`],
    ] as const) {
      expect((await call('POST', '/v1/providers', { yaml: `name: ${name}\ndriver: kubernetes\nconfig: ${config}\n` })).status).toBe(201);
      const r = await call('POST', '/v1/workspaces', { token: alice, json: { provider: name, name, source: { image: IMAGE } } });
      let ws = r.body;
      for (let i = 0; i < 100 && ws.status !== 'Error'; i++) {
        await new Promise((res) => setTimeout(res, 200));
        ws = (await call('GET', `/v1/workspaces/${r.body.id}`, { token: alice })).body;
      }
      expect(ws.status).toBe('Error');
      expect(ws.statusReason).toContain(source);
      const conn = await call('GET', `/v1/workspaces/${r.body.id}/connection`, { token: alice });
      expect(conn.status).toBe(400);
      expect(conn.body.detail).toContain(source);
      await call('GET', `/v1/workspaces/${r.body.id}/events?limit=500`, { token: alice });
      // Whether a workspace whose driver cannot be built deletes at once is not this test's concern.
      await call('DELETE', `/v1/workspaces/${r.body.id}?wait=5`, { token: alice });
      await call('GET', `/v1/workspaces/${r.body.id}`, { token: alice });
    }
  }, 120_000);

  it('a provider stored before inline material was refused is shown masked, and its driver errors quote none of it', async () => {
    const yaml = `name: legacy\noptions:\n  KCFG:\n    password: true\n  PLAIN: {}\ndriver: kubernetes\nconfig: \${KCFG}\nnamespace: legacy\nnodeSelector: \${PLAIN}\n`;
    const now = new Date().toISOString();
    await cp.store.providers.create({ name: 'legacy', yaml, optionValues: { KCFG: inlineKubeconfig(KUBE_TOKEN), PLAIN: inlineKubeconfig(KUBE_TOKEN) }, version: 1, createdAt: now, updatedAt: now });
    let shown = await call('GET', '/v1/providers/legacy', { token: alice });
    // The PLAIN value is no valid nodeSelector: the refusal must not quote it either.
    expect(shown.status).toBe(400);
    expect(shown.body.errors.map((e: { field: string }) => e.field)).toContain('agent.kubernetes.nodeSelector');
    await cp.store.providers.replace({ name: 'legacy', yaml: yaml.replace('nodeSelector: ${PLAIN}', 'agent:\n  docker:\n    env:\n      AUTH: ${PLAIN}'), optionValues: { KCFG: inlineKubeconfig(KUBE_TOKEN), PLAIN: 'Bearer abcdefghijklmnop0123456789' }, version: 2, createdAt: now, updatedAt: now }, 1);
    shown = await call('GET', '/v1/providers/legacy', { token: alice });
    expect(shown.status, JSON.stringify(shown.body)).toBe(200);
    expect(shown.body.agent.kubernetes.config).toBe('********');
    expect(shown.body.options.find((o: { name: string }) => o.name === 'PLAIN').value).toBe('********');
    await call('GET', '/v1/providers', { token: alice });
    const r = await call('POST', '/v1/workspaces', { token: alice, json: { provider: 'legacy', name: 'legacy', source: { image: IMAGE } } });
    let ws = r.body;
    for (let i = 0; i < 100 && ws.status !== 'Error'; i++) {
      await new Promise((res) => setTimeout(res, 200));
      ws = (await call('GET', `/v1/workspaces/${r.body.id}`, { token: alice })).body;
    }
    expect(ws.statusReason).toMatch(/agent\.kubernetes\.config holds kubeconfig text/);
    await call('GET', `/v1/workspaces/${r.body.id}/connection`, { token: alice });
    await call('GET', `/v1/workspaces/${r.body.id}/events?limit=500`, { token: alice });
    await call('DELETE', `/v1/workspaces/${r.body.id}?wait=5`, { token: alice });
  }, 60_000);

  it('the captured text of the whole run holds none of the secrets', () => {
    expect(seen.length).toBeGreaterThan(25);
    for (const s of secrets()) {
      const at = seen.find((line) => line.includes(s));
      expect(at?.slice(0, 1200), `found ${s.slice(0, 12)}…`).toBeUndefined();
    }
  });
});
