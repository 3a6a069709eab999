import { createHash, randomBytes } from 'node:crypto';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startRegistry, type Registry } from '../support/registry';
import { dumpTable } from '../support/table-dump';

/**
 * Issue 11, "registry credentials by secret reference": an OCI Feature on a registry that needs a
 * login installs with the provider's `workbay.registries` credentials, fails naming the Feature
 * without them, and the password shows up in no response, event, log line or stored item.
 */
const IMAGE = 'workbay-test/busybox:local';
const USER = 'robot';
const PASSWORD = `wbsecret-registry-${randomBytes(8).toString('hex')}`;

let registry: Registry;
let cp: TestControlPlane;
let token: string;
/** Every response body and log line of the run, as text. */
const seen: string[] = [];

async function call(method: string, path: string, opts: Parameters<TestControlPlane['call']>[2] = {}) {
  const r = await cp.call(method, path, opts);
  seen.push(`${method} ${path} -> ${r.status} ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`);
  return r;
}

/** Pushes a Feature as an OCI artifact, logged in: config blob, tar layer, manifest with the metadata annotation. */
async function pushFeature(repo: string, tag: string, f: Record<string, string>): Promise<void> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(f)) pack.entry({ name: `./${name}`, mode: name.endsWith('.sh') ? 0o755 : 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const auth = { authorization: registry.authorization! };
  const base = `http://${registry.host}/v2/${repo}`;
  const blob = async (body: Buffer) => {
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const start = await fetch(`${base}/blobs/uploads/`, { method: 'POST', headers: auth });
    expect(start.status).toBe(202);
    const loc = new URL(start.headers.get('location')!, `http://${registry.host}`);
    loc.searchParams.set('digest', digest);
    expect((await fetch(loc, { method: 'PUT', body, headers: { ...auth, 'content-type': 'application/octet-stream' } })).status).toBe(201);
    return { digest, size: body.length };
  };
  const manifest = {
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.devcontainers', ...(await blob(Buffer.from('{}'))) },
    layers: [{ mediaType: 'application/vnd.devcontainers.layer.v1+tar', ...(await blob(Buffer.concat(chunks))) }],
    annotations: { 'dev.containers.metadata': f['devcontainer-feature.json']! },
  };
  const res = await fetch(`${base}/manifests/${tag}`, { method: 'PUT', body: JSON.stringify(manifest), headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  expect(res.status).toBe(201);
}

const provider = (name: string, passwordRef?: string) => `name: ${name}\ncontainerInactivityTimeout: 0\n${passwordRef ? `workbay:\n  registries:\n    "${registry.host}":\n      username: ${USER}\n      password: ${passwordRef}\n` : ''}`;
let ref = '';

beforeAll(async () => {
  registry = await startRegistry({ auth: { username: USER, password: PASSWORD } });
  cp = await startControlPlane({
    log: (e) => seen.push(`log ${JSON.stringify(e)}`),
    // Loopback registries only when the deployment allows them; the password comes from the environment.
    env: { WORKBAY_ALLOW_LOOPBACK_FEATURES: 'true', REG_PASSWORD: PASSWORD, REG_WRONG: 'not-the-password' },
  });
  for (const [name, refName] of [['private', 'env:REG_PASSWORD'], ['anonymous', undefined], ['wrong', 'env:REG_WRONG']] as const) {
    expect((await call('POST', '/v1/providers', { yaml: provider(name, refName) })).status).toBe(201);
  }
  token = await cp.tokenFor('feature-user');
  await pushFeature('team/secret-tool', '1', {
    'devcontainer-feature.json': JSON.stringify({ id: 'secret-tool', version: '1.0.0', containerEnv: { SECRET_TOOL: 'yes' } }),
    'install.sh': '#!/bin/sh\nset -e\necho "from the private registry" > /opt-secret-tool\n',
  });
  ref = `${registry.host}/team/secret-tool:1`;
}, 120_000);
afterAll(async () => {
  await cp?.dispose();
  await registry?.close();
});

async function up(providerName: string, name: string) {
  const devcontainer = JSON.stringify({ image: IMAGE, features: { [ref]: {} } });
  let ws = (await call('POST', '/v1/workspaces?wait=25', { token, json: { provider: providerName, name, source: { image: IMAGE }, devcontainer } })).body;
  for (let i = 0; i < 90 && ws.status !== 'Running' && ws.status !== 'Error'; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    ws = (await call('GET', `/v1/workspaces/${ws.id}`, { token })).body;
  }
  await call('GET', `/v1/workspaces/${ws.id}/events`, { token });
  return ws as { id: string; status: string; statusReason?: string };
}

describe('OCI Features from a registry that needs a login', () => {
  it('the registry really refuses anonymous pulls', async () => {
    expect((await fetch(`http://${registry.host}/v2/team/secret-tool/manifests/1`)).status).toBe(401);
  });

  it('installs with the provider\'s credentials (a secret reference)', async () => {
    const ws = await up('private', 'with-login');
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    const r = await call('POST', `/v1/workspaces/${ws.id}/exec`, { token, json: { command: 'cat /opt-secret-tool; echo $SECRET_TOOL' } });
    expect(r.body.stdout).toBe('from the private registry\nyes\n');
    await call('DELETE', `/v1/workspaces/${ws.id}?wait=25`, { token });
  }, 180_000);

  it('without credentials: an Error naming the Feature, the 401 and where credentials go', async () => {
    const ws = await up('anonymous', 'no-login');
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`Feature "${ref}" could not be fetched: the registry needs credentials (401)`);
    expect(ws.statusReason).toContain(`for ${registry.host} in the provider's workbay.registries`);
    await call('DELETE', `/v1/workspaces/${ws.id}?wait=25`, { token });
  }, 120_000);

  it('with the wrong password: an Error saying the credentials were refused', async () => {
    const ws = await up('wrong', 'bad-login');
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`Feature "${ref}" could not be fetched: the registry refused the credentials the provider gives for ${registry.host}`);
    await call('DELETE', `/v1/workspaces/${ws.id}?wait=25`, { token });
  }, 120_000);

  it('an image on that registry: anonymous pulls fail naming it, the provider\'s login pulls it', async () => {
    const docker = testDocker();
    const image = `${registry.host}/team/base:1`;
    await docker.getImage(IMAGE).tag({ repo: `${registry.host}/team/base`, tag: '1' });
    const push = await docker.getImage(image).push({ authconfig: { username: USER, password: PASSWORD, serveraddress: registry.host } });
    const events = await new Promise<{ error?: string }[]>((resolve, reject) => docker.modem.followProgress(push, (err: Error | null, out: { error?: string }[]) => (err ? reject(err) : resolve(out))));
    expect(events.filter((e) => e.error)).toEqual([]);
    await docker.getImage(image).remove();
    try {
      const run = async (providerName: string, name: string) => {
        let ws = (await call('POST', '/v1/workspaces?wait=25', { token, json: { provider: providerName, name, source: { image } } })).body;
        for (let i = 0; i < 60 && ws.status !== 'Running' && ws.status !== 'Error'; i++) {
          await new Promise((r) => setTimeout(r, 1000));
          ws = (await call('GET', `/v1/workspaces/${ws.id}`, { token })).body;
        }
        await call('GET', `/v1/workspaces/${ws.id}/events`, { token });
        return ws as { id: string; status: string; statusReason?: string };
      };
      // Anonymous first: once pulled, the engine has the image and would not ask the registry again.
      const anonymous = await run('anonymous', 'image-no-login');
      expect(anonymous.status).toBe('Error');
      expect(anonymous.statusReason).toContain(`image "${image}" is not on the engine and could not be pulled`);
      const ws = await run('private', 'image-with-login');
      expect(ws.statusReason).toBeUndefined();
      expect(ws.status).toBe('Running');
      for (const id of [anonymous.id, ws.id]) await call('DELETE', `/v1/workspaces/${id}?wait=25`, { token });
    } finally {
      await docker.getImage(image).remove().catch(() => undefined);
    }
  }, 180_000);

  it('a provider with an inline password is refused at add, naming the field, without echoing it', async () => {
    const r = await call('POST', '/v1/providers', { yaml: `name: inline\nworkbay:\n  registries:\n    "${registry.host}":\n      username: ${USER}\n      password: ${PASSWORD}\n` });
    expect(r.status).toBe(400);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: `workbay.registries.${registry.host}.password`, line: 6 })]);
    expect((await call('GET', '/v1/providers/inline')).status).toBe(404);
  });

  it('the provider view shows the reference, never the password', async () => {
    const r = await call('GET', '/v1/providers/private', { token });
    expect(r.status).toBe(200);
    expect(r.body.policy.registries).toEqual({ [registry.host]: { username: USER, password: 'env:REG_PASSWORD' } });
  });

  it('the password is in no response, event, log line or stored item', async () => {
    await cp.settle();
    const stored = JSON.stringify(await dumpTable(cp.store));
    expect(seen.length).toBeGreaterThan(10);
    expect(stored).toContain('env:REG_PASSWORD');
    for (const text of [...seen, stored]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    }
  }, 60_000);
});
