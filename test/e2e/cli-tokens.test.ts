import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { runCli } from '../support/processes';

let cp: TestControlPlane;
let env: Record<string, string>;
beforeAll(async () => {
  cp = await startControlPlane();
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: cp.adminToken };
});
afterAll(async () => { await cp?.dispose(); });

describe('workbay token (CLI)', () => {
  it('issues a token shown once, which then works for its owner', async () => {
    const r = await runCli(['token', 'issue', 'alice', '--description', 'ci bot', '--expires-in', '12h'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/token for alice \(user\), prefix wbt_\S+, expires \d{4}-/);
    const token = /^(wbt_\S+)$/m.exec(r.stdout)![1]!;
    const list = await runCli(['list', '--output', 'json'], { WORKBAY_URL: cp.url, WORKBAY_TOKEN: token });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('lists tokens as a table and as JSON, never with a secret', async () => {
    const issued = JSON.parse((await runCli(['token', 'issue', 'bob', '--role', 'admin', '--json'], env)).stdout);
    expect(issued).toMatchObject({ owner: 'bob', role: 'admin', prefix: expect.stringMatching(/^wbt_/) });
    const human = await runCli(['token', 'list'], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^PREFIX\s+OWNER\s+ROLE\s+CREATED\s+LAST-USED\s+EXPIRES\s+DESCRIPTION/);
    expect(human.stdout).toMatch(new RegExp(`${issued.prefix}\\s+bob\\s+admin\\s+\\S+\\s+-\\s+never`));
    expect(human.stdout).toMatch(/alice\s+user\s+\S+\s+\S+Z\s+\d{4}-\S+\s+ci bot/);
    const json = await runCli(['token', 'list', '--output', 'json'], env);
    const items = JSON.parse(json.stdout) as { owner: string; bootstrap: boolean }[];
    expect(items.map((t) => t.owner).sort()).toEqual(['admin', 'alice', 'bob']);
    for (const out of [human.stdout, json.stdout]) {
      expect(out).not.toContain(issued.token);
      expect(out).not.toContain(cp.adminToken);
    }
  });

  it('revokes by prefix; the token is refused at once and a second revoke fails', async () => {
    const issued = JSON.parse((await runCli(['token', 'issue', 'carol', '--json'], env)).stdout);
    const carol = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: issued.token };
    expect((await runCli(['list'], carol)).code).toBe(0);
    const r = await runCli(['token', 'revoke', issued.prefix], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`token ${issued.prefix} revoked`);
    const after = await runCli(['list'], carol);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('auth.unauthenticated');
    const again = await runCli(['token', 'revoke', issued.prefix, '--json'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('token.notFound');
  });

  it('explains usage mistakes, bad expiries and non-admin callers', async () => {
    expect((await runCli(['token'], env)).code).toBe(2);
    expect((await runCli(['token', 'issue'], env)).code).toBe(2);
    expect((await runCli(['token', 'issue', 'dave', '--role', 'root'], env)).code).toBe(2);
    expect((await runCli(['token', 'revoke'], env)).code).toBe(2);
    const bad = await runCli(['token', 'issue', 'dave', '--expires-in', 'soon'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('request.invalid');
    expect(bad.stderr).toMatch(/expiresIn: must be a number of seconds/);
    const user = await cp.tokenFor('erin');
    const denied = await runCli(['token', 'list'], { WORKBAY_URL: cp.url, WORKBAY_TOKEN: user });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('auth.forbidden');
  });
});
