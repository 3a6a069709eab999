import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../lib/api';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';

let cp: TestControlPlane;
beforeAll(async () => { cp = await startControlPlane(); });
afterAll(async () => { await cp?.dispose(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const whoami = (token: string) => cp.call('GET', '/v1/workspaces', { token });

describe('token lifecycle (API)', () => {
  it('issues a token with an expiry and lists every token without its secret or hash', async () => {
    const issued = await cp.call('POST', '/v1/tokens', { json: { owner: 'alice', role: 'user', description: 'laptop', expiresIn: '30d' } });
    expect(issued.status).toBe(201);
    const { token, prefix, expiresAt } = issued.body;
    expect(token).toMatch(/^wbt_/);
    expect(token.startsWith(prefix)).toBe(true);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThan(30.1);
    expect((await whoami(token)).status).toBe(200);

    const list = await cp.call('GET', '/v1/tokens');
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    for (const secret of [token, cp.adminToken, hashToken(token), hashToken(cp.adminToken)]) expect(text).not.toContain(secret);
    const alice = list.body.items.find((t: { prefix: string }) => t.prefix === prefix);
    expect(alice).toMatchObject({ owner: 'alice', role: 'user', description: 'laptop', expiresAt, expired: false, bootstrap: false });
    expect(Date.parse(alice.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(alice.lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
    const admin = list.body.items.find((t: { bootstrap: boolean }) => t.bootstrap);
    expect(admin).toMatchObject({ owner: 'admin', role: 'admin', expired: false });
    expect(cp.adminToken.startsWith(admin.prefix)).toBe(true);
  });

  it('records the last use at most about once a minute, not on every request', async () => {
    const token = await cp.tokenFor('bob');
    expect((await whoami(token)).status).toBe(200);
    const first = (await cp.call('GET', '/v1/tokens')).body.items.find((t: { owner: string }) => t.owner === 'bob').lastUsedAt;
    expect(first).toBeTruthy();
    await sleep(20);
    for (let i = 0; i < 5; i++) expect((await whoami(token)).status).toBe(200);
    const later = (await cp.call('GET', '/v1/tokens')).body.items.find((t: { owner: string }) => t.owner === 'bob').lastUsedAt;
    expect(later).toBe(first);
  });

  it('keeps listing, issuing and revoking to admins', async () => {
    const user = await cp.tokenFor('carol');
    for (const [method, path, json] of [['GET', '/v1/tokens'], ['POST', '/v1/tokens', { owner: 'carol', role: 'admin' }], ['DELETE', '/v1/tokens/wbt_abcdef']] as const) {
      const r = await cp.call(method, path, { token: user, json });
      expect(r.status).toBe(403);
      expect(r.body.code).toBe('auth.forbidden');
    }
  });

  it('revokes a token by prefix: 204, then 401 on the very next request; unknown prefixes are 404', async () => {
    const issued = (await cp.call('POST', '/v1/tokens', { json: { owner: 'dave' } })).body;
    expect((await whoami(issued.token)).status).toBe(200);
    const del = await cp.call('DELETE', `/v1/tokens/${issued.prefix}`);
    expect(del.status).toBe(204);
    const after = await whoami(issued.token);
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toContain('application/problem+json');
    expect(after.body.code).toBe('auth.unauthenticated');
    const list = (await cp.call('GET', '/v1/tokens')).body.items;
    expect(list.some((t: { prefix: string }) => t.prefix === issued.prefix)).toBe(false);
    const again = await cp.call('DELETE', `/v1/tokens/${issued.prefix}`);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.body).toMatchObject({ code: 'token.notFound', errors: [{ field: 'params.prefix' }] });
    expect((await cp.call('DELETE', '/v1/tokens/not%20a%20prefix')).status).toBe(400);
  });

  it('refuses an expired token with 401 once its time has passed', async () => {
    const issued = (await cp.call('POST', '/v1/tokens', { json: { owner: 'erin', expiresIn: 1 } })).body;
    expect((await whoami(issued.token)).status).toBe(200);
    await sleep(1100);
    const r = await whoami(issued.token);
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/expired/);
    const listed = (await cp.call('GET', '/v1/tokens')).body.items.find((t: { prefix: string }) => t.prefix === issued.prefix);
    expect(listed.expired).toBe(true);
  });

  it('refuses bad expiry values with a 400 naming the field', async () => {
    const nextYear = `${new Date().getUTCFullYear() + 1}-01-01T00:00:00Z`;
    const cases: [Record<string, unknown>, string][] = [
      [{ expiresIn: 0 }, 'body.expiresIn'],
      [{ expiresIn: -5 }, 'body.expiresIn'],
      [{ expiresIn: 'soon' }, 'body.expiresIn'],
      [{ expiresIn: '0s' }, 'body.expiresIn'],
      [{ expiresIn: '99999d' }, 'body.expiresIn'],
      [{ expiresAt: '2001-01-01T00:00:00Z' }, 'body.expiresAt'],
      [{ expiresAt: 'tomorrow' }, 'body.expiresAt'],
      [{ expiresAt: 'Jan 1 2030' }, 'body.expiresAt'],
      [{ expiresAt: '2099-01-01T00:00:00Z' }, 'body.expiresAt'],
      [{ expiresIn: 60, expiresAt: nextYear }, 'body.expiresAt'],
    ];
    for (const [extra, field] of cases) {
      const r = await cp.call('POST', '/v1/tokens', { json: { owner: 'frank', ...extra } });
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.code).toBe('request.invalid');
      // zod reports the body as `json.`, hand-written checks as `body.`; either names the field.
      expect(r.body.errors.map((e: { field: string }) => e.field.replace(/^json\./, 'body.'))).toContain(field);
    }
    const ok = await cp.call('POST', '/v1/tokens', { json: { owner: 'frank', expiresAt: nextYear.replace('Z', '+01:00') } });
    expect(ok.status).toBe(201);
    expect(ok.body.expiresAt).toBe(`${new Date().getUTCFullYear()}-12-31T23:00:00.000Z`);
  });

});

describe('failed-authentication limit', () => {
  // A control plane of its own: failures elsewhere in this file count too, and this blocks 127.0.0.1.
  let fresh: TestControlPlane;
  const logs: Record<string, unknown>[] = [];
  beforeAll(async () => { fresh = await startControlPlane({ log: (e) => logs.push(e) }); });
  afterAll(async () => { await fresh?.dispose(); });

  it('answers the 21st failed authentication within a minute with 429 and Retry-After, a correct token included', async () => {
    const valid = await fresh.tokenFor('grace');
    const whoami = (token: string) => fresh.call('GET', '/v1/workspaces', { token });
    expect((await fresh.call('GET', '/v1/workspaces', { token: null })).status).toBe(401);
    const tried: string[] = [];
    for (let i = 1; i <= 20; i++) {
      tried.push(generateToken());
      const r = await whoami(tried.at(-1)!);
      expect(r.status, `attempt ${i}`).toBe(401);
    }
    const blocked = await whoami(generateToken());
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('content-type')).toContain('application/problem+json');
    expect(blocked.body.code).toBe('auth.rateLimited');
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    // A blocked client is refused even with a correct token, so the limit cannot be used as an oracle.
    expect((await whoami(valid)).status).toBe(429);
    expect((await fresh.call('GET', '/v1/tokens')).status).toBe(429);
    expect((await fresh.call('GET', '/healthz', { token: null })).status).toBe(200);
    const blockedLines = logs.filter((e) => e.msg === 'client blocked after failed authentications');
    expect(blockedLines).toEqual([expect.objectContaining({ level: 'warn', client: '127.0.0.1' })]);
    const logText = JSON.stringify(logs);
    for (const t of [...tried, valid, fresh.adminToken]) expect(logText).not.toContain(t);
  });
});

describe('rotation of the embedded admin token', () => {
  it('retires the previous admin token when a restart over the same data dir brings a new WORKBAY_ADMIN_TOKEN', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'workbay-rotate-'));
    const oldAdmin = generateToken();
    const newAdmin = generateToken();
    let first: TestControlPlane | undefined = await startControlPlane({ dataDir, adminToken: oldAdmin });
    let second: TestControlPlane | undefined;
    try {
      const user = await first.tokenFor('heidi');
      expect((await first.call('GET', '/v1/tokens', { token: oldAdmin })).status).toBe(200);
      await first.dispose();
      first = undefined;

      second = await startControlPlane({ dataDir, adminToken: newAdmin });
      const old = await second.call('GET', '/v1/tokens', { token: oldAdmin });
      expect(old.status).toBe(401);
      const list = await second.call('GET', '/v1/tokens', { token: newAdmin });
      expect(list.status).toBe(200);
      const admins = list.body.items.filter((t: { role: string }) => t.role === 'admin');
      expect(admins).toHaveLength(1);
      expect(admins[0]).toMatchObject({ bootstrap: true, description: 'from WORKBAY_ADMIN_TOKEN' });
      expect(second.admin.retired).toEqual([oldAdmin.slice(0, 10)]);
      // Tokens issued by the old admin are not the bootstrap token and keep working.
      expect((await second.call('GET', '/v1/workspaces', { token: user })).status).toBe(200);
      await second.dispose();
      second = await startControlPlane({ dataDir, adminToken: newAdmin });
      expect(second.admin.retired).toEqual([]);
      expect((await second.call('GET', '/v1/tokens', { token: newAdmin })).status).toBe(200);
    } finally {
      await first?.dispose();
      await second?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
