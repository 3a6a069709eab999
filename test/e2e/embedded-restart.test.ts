import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { npmStart, type Started } from '../support/processes';
import { providerYaml } from '../support/fixtures';

const dataDir = mkdtempSync(join(tmpdir(), 'workbay-e2e-'));
let running: Started | undefined;
afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(url: string, token: string, method: string, path: string, json?: unknown, yaml?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (json) headers['content-type'] = 'application/json';
  if (yaml) headers['content-type'] = 'application/yaml';
  const res = await fetch(`${url}${path}`, { method, headers, body: yaml ?? (json ? JSON.stringify(json) : undefined) });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
}

describe('embedded mode (npm start)', () => {
  let admin = '';
  let userToken = '';
  let wsId = '';

  it('starts, serves /healthz and prints a generated admin token once', async () => {
    running = await npmStart({ PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: '' });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const m = /admin token \(shown once[^\n]*\n(wbt_\S+)/.exec(running.stdout());
    expect(m).not.toBeNull();
    admin = m![1]!;
    const file = join(dataDir, 'admin-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(admin);
    expect(statSync(file).mode & 0o077).toBe(0);
  });

  it('stores providers, tokens and workspaces', async () => {
    const url = running!.url;
    expect((await call(url, admin, 'POST', '/v1/providers', undefined, providerYaml('simple-kubernetes'))).status).toBe(201);
    const t = await call(url, admin, 'POST', '/v1/tokens', { owner: 'carol' });
    expect(t.status).toBe(201);
    userToken = t.body.token;
    const ws = await call(url, userToken, 'POST', '/v1/workspaces', { provider: 'simple-kubernetes', source: { image: 'workbay-test/busybox:local' }, name: 'keepme' });
    expect(ws.status).toBe(202);
    wsId = ws.body.id;
  });

  it('keeps everything across a restart and does not print the token again', async () => {
    const before = running!.url;
    await running!.stop();
    await expect(fetch(`${before}/healthz`)).rejects.toThrow();
    running = await npmStart({ PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: '' });
    expect(running.stdout()).not.toContain(admin);
    const url = running.url;
    const p = await call(url, admin, 'GET', '/v1/providers/simple-kubernetes');
    expect(p.status).toBe(200);
    expect(p.body.agent.kubernetes.persistentVolumeSize).toBe('20Gi');
    const ws = await call(url, userToken, 'GET', `/v1/workspaces/${wsId}`);
    expect(ws.status).toBe(200);
    expect(ws.body).toMatchObject({ name: 'keepme', owner: 'carol', provider: 'simple-kubernetes', desiredState: 'Running' });
  });

  it('refuses a bad environment with the variable named', async () => {
    await expect(npmStart({ PORT: 'eighty', WORKBAY_DATA_DIR: dataDir })).rejects.toThrow(/PORT/);
  });
});
