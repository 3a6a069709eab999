import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startTlsEngine, type TlsEngine } from '../support/tls-dockerd';

const IMAGE = 'workbay-test/busybox:local';
let engine: TlsEngine;
let cp: TestControlPlane;
const logs: string[] = [];

beforeAll(async () => {
  engine = await startTlsEngine(23760 + Math.floor(Math.random() * 200), testDocker(), [IMAGE]);
  cp = await startControlPlane({ log: (e) => logs.push(JSON.stringify(e)), env: { ROGUE_KEY: readFileSync(join(engine.rogueCertDir, 'key.pem'), 'utf8') } });
}, 180_000);
afterAll(async () => {
  await cp?.dispose();
  await engine?.close();
}, 60_000);

const provider = (name: string, env: Record<string, string>) =>
  `name: ${name}\nagent:\n  docker:\n    env:\n${Object.entries(env).map(([k, v]) => `      ${k}: "${v}"`).join('\n')}\n`;

describe('a tcp:// engine with TLS client certificates', () => {
  it('runs a workspace with DOCKER_CERT_PATH', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('tls-good', { DOCKER_HOST: engine.host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.goodCertDir }) })).status).toBe(201);
    const r = await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'tls-good', name: 'over-tls', source: { image: IMAGE } } });
    expect(r.body.statusReason).toBeUndefined();
    expect(r.body.status).toBe('Running');
    expect((await objectsOf(engine.client, r.body.id)).containers).toHaveLength(1);
    const exec = await cp.call('POST', `/v1/workspaces/${r.body.id}/exec`, { json: { command: ['echo', 'over tls'] } });
    expect(exec.body.stdout).toBe('over tls\n');
    expect((await cp.call('DELETE', `/v1/workspaces/${r.body.id}?wait=25`)).status).toBe(204);
  }, 90_000);

  it('a certificate the engine does not trust fails clearly, with no secret material anywhere', async () => {
    const rogueKey = readFileSync(join(engine.rogueCertDir, 'key.pem'), 'utf8');
    const yaml = provider('tls-rogue', {
      DOCKER_HOST: engine.host,
      DOCKER_TLS_CA: `file:${join(engine.rogueCertDir, 'ca.pem')}`,
      DOCKER_TLS_CERT: `file:${join(engine.rogueCertDir, 'cert.pem')}`,
      DOCKER_TLS_KEY: 'env:ROGUE_KEY',
    });
    expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
    const r = await cp.call('POST', '/v1/workspaces?wait=4', { json: { provider: 'tls-rogue', name: 'rogue', source: { image: IMAGE } } });
    let ws = r.body;
    for (let i = 0; i < 100 && !/TLS/.test(ws.statusReason ?? ''); i++) {
      await new Promise((res) => setTimeout(res, 200));
      ws = (await cp.call('GET', `/v1/workspaces/${r.body.id}`)).body;
    }
    expect(ws.statusReason).toMatch(/TLS handshake with the Docker engine failed/);
    const events = await cp.call('GET', `/v1/workspaces/${r.body.id}/events?limit=500`);
    const provider2 = await cp.call('GET', '/v1/providers/tls-rogue');
    const keyLines = rogueKey.split('\n').filter((l) => l.length > 20);
    for (const text of [JSON.stringify(ws), JSON.stringify(events.body), JSON.stringify(provider2.body), logs.join('\n')]) {
      expect(text).not.toContain('PRIVATE KEY');
      for (const l of keyLines) expect(text).not.toContain(l);
    }
  }, 90_000);
});
