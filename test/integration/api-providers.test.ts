import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { providerYaml } from '../support/fixtures';
import { dumpTable } from '../support/table-dump';

let cp: TestControlPlane;
beforeAll(async () => { cp = await startControlPlane(); });
afterAll(async () => { await cp?.dispose(); });

describe('providers API', () => {
  it('adds the page\'s Kubernetes example (indented) and shows it resolved', async () => {
    const add = await cp.call('POST', '/v1/providers', { yaml: providerYaml('simple-kubernetes') });
    expect(add.status).toBe(201);
    expect(add.headers.get('location')).toBe('/v1/providers/simple-kubernetes');
    const got = await cp.call('GET', '/v1/providers/simple-kubernetes');
    expect(got.status).toBe(200);
    expect(got.body.driver).toBe('kubernetes');
    expect(got.body.inactivityTimeoutSeconds).toBe(300);
    expect(got.body.agent.kubernetes.persistentVolumeSize).toBe('20Gi');
    expect(got.body.agent.kubernetes.createNamespace).toBe(true);
    expect(got.body.agent.kubernetes.buildRepository).toBe('');
    expect(got.body.exec.command).toContain('helper sh -c');
    expect(got.body.warnings.join('\n')).toMatch(/exec/i);
  });

  it('refuses the page\'s text as printed with the line number and an indentation hint, storing nothing', async () => {
    const before = await dumpTable(cp.store);
    const r = await cp.call('POST', '/v1/providers', { yaml: providerYaml('simple-kubernetes-as-printed') });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.code).toBe('config.invalid');
    const err = r.body.errors[0];
    expect([18, 19]).toContain(err.line);
    expect(`${err.message} ${err.hint}`).toMatch(/indent/i);
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('loads the page\'s Docker example as a Docker provider', async () => {
    const r = await cp.call('POST', '/v1/providers', { yaml: providerYaml('docker-page') });
    expect(r.status).toBe(201);
    expect(r.body.driver).toBe('docker');
    expect(r.body.inactivityTimeoutSeconds).toBe(300);
    expect(r.body.agent.docker).toMatchObject({ path: '/usr/bin/docker', install: false });
  });

  it('loads DevPod\'s nested docker provider with options resolved, through the JSON form with -o values', async () => {
    const r = await cp.call('POST', '/v1/providers', {
      json: { yaml: providerYaml('devpod-docker'), name: 'devpod-docker', options: { INACTIVITY_TIMEOUT: '10m', DOCKER_HOST: 'unix:///var/run/docker.sock' } },
    });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('devpod-docker');
    expect(r.body.inactivityTimeoutSeconds).toBe(600);
    expect(r.body.agent.docker).toMatchObject({ path: 'docker', install: false, env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } });
    const opt = r.body.options.find((o: { name: string }) => o.name === 'DOCKER_PATH');
    expect(opt).toMatchObject({ value: 'docker', source: 'default' });
  });

  it('sets options like devpod provider set-options and re-resolves', async () => {
    const r = await cp.call('PUT', '/v1/providers/devpod-docker/options', { json: { options: { DOCKER_PATH: '/usr/bin/podman', INACTIVITY_TIMEOUT: '1h30m' } } });
    expect(r.status).toBe(200);
    expect(r.body.agent.docker.path).toBe('/usr/bin/podman');
    expect(r.body.inactivityTimeoutSeconds).toBe(5400);
    const bad = await cp.call('PUT', '/v1/providers/devpod-docker/options', { json: { options: { INACTIVITY_TIMEOUT: 'soon' } } });
    expect(bad.status).toBe(400);
    expect((await cp.call('GET', '/v1/providers/devpod-docker')).body.inactivityTimeoutSeconds).toBe(5400);
  });

  it('lists providers', async () => {
    const r = await cp.call('GET', '/v1/providers');
    expect(r.status).toBe(200);
    expect(r.body.items.map((p: { name: string }) => p.name).sort()).toEqual(['devpod-docker', 'docker-page', 'simple-kubernetes']);
  });

  it('masks password options in every response', async () => {
    const yaml = `name: secretive
options:
  API_KEY:
    password: true
    required: true
agent:
  docker:
    env:
      SOME_TOKEN: \${API_KEY}
`;
    const r = await cp.call('POST', '/v1/providers', { json: { yaml, options: { API_KEY: 'hunter2-very-secret' } } });
    expect(r.status).toBe(201);
    for (const res of [r, await cp.call('GET', '/v1/providers/secretive'), await cp.call('GET', '/v1/providers')]) {
      expect(JSON.stringify(res.body)).not.toContain('hunter2-very-secret');
    }
    expect(r.body.agent.docker.env.SOME_TOKEN).toBe('********');
  });

  it('deletes a provider and 404s afterwards', async () => {
    expect((await cp.call('DELETE', '/v1/providers/secretive')).status).toBe(204);
    const r = await cp.call('GET', '/v1/providers/secretive');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('provider.notFound');
  });
});

describe('bad provider input changes nothing and says why', () => {
  const cases: { what: string; send: { yaml?: string; json?: unknown; body?: string; headers?: Record<string, string> }; status: number; match: RegExp; field?: RegExp }[] = [
    { what: 'malformed YAML', send: { yaml: 'name: x\nagent: [unclosed\n' }, status: 400, match: /line/i },
    { what: 'malformed JSON', send: { body: '{"yaml": ', headers: { 'content-type': 'application/json' } }, status: 400, match: /json/i },
    { what: 'unknown driver', send: { yaml: 'name: weird\ndriver: custom\n' }, status: 400, match: /docker.*kubernetes|kubernetes.*docker/ },
    { what: 'bad option name', send: { yaml: 'name: badopt\noptions:\n  lower_case:\n    default: x\n' }, status: 400, match: /\^\[A-Z0-9_\]\+\$|A-Z0-9_/ },
    { what: 'bad duration', send: { yaml: 'name: baddur\ncontainerInactivityTimeout: 10 minutes\n' }, status: 400, match: /duration|10m/i },
    { what: 'bad quantity', send: { yaml: 'name: badq\ndriver: kubernetes\npersistentVolumeSize: 20GB\n' }, status: 400, match: /quantit|20GB/i },
    { what: 'unknown ${NAME}', send: { yaml: 'name: unk\nagent:\n  docker:\n    path: ${NOPE}\n' }, status: 400, match: /NOPE/ },
    { what: 'name not DNS-1123', send: { yaml: 'name: Not_A_Label\n' }, status: 400, match: /DNS-1123|lowercase/i },
    { what: 'name override not DNS-1123', send: { json: { yaml: 'name: fine\n', name: 'UPPER' } }, status: 400, match: /DNS-1123/ },
    { what: 'option not declared', send: { json: { yaml: 'name: fine\n', options: { NOT_THERE: '1' } } }, status: 400, match: /NOT_THERE/ },
    { what: 'empty body', send: { yaml: '' }, status: 400, match: /empty/i },
    { what: 'duplicate provider', send: { yaml: providerYaml('docker-page') }, status: 409, match: /exists/ },
    { what: 'body over 1 MiB', send: { yaml: `name: big\ndescription: "${'x'.repeat(1024 * 1024 + 10)}"\n` }, status: 413, match: /1 MiB/ },
  ];

  it.each(cases)('$what -> $status', async ({ send, status, match }) => {
    await cp.call('POST', '/v1/providers', { yaml: providerYaml('docker-page') });
    const before = await dumpTable(cp.store);
    const r = await cp.call('POST', '/v1/providers', send);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(r.body)).toMatch(match);
    expect(r.body.requestId).toBeTruthy();
    expect(await dumpTable(cp.store)).toEqual(before);
  });
});
