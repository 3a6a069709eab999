import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { dumpTable } from '../support/table-dump';

/**
 * Hostile and broken input over real HTTP: each request is refused with a 4xx problem within a
 * second, `/healthz` keeps answering meanwhile, and the table is exactly as before.
 */
let cp: TestControlPlane;
let user = '';
const IMAGE = 'workbay-test/busybox:local';
const statuses: number[] = [];

beforeAll(async () => {
  cp = await startControlPlane();
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  user = await cp.tokenFor('mallory');
});
afterAll(async () => {
  await cp?.dispose();
});

/** The table without bookkeeping that every authenticated request may touch (a token's last use). */
async function snapshot() {
  return (await dumpTable(cp.store)).map((item) => {
    if (!String(item.pk).startsWith('TOKEN#')) return item;
    const { lastUsedAt: _l, ...rest } = item;
    return rest;
  });
}

/** Polls /healthz until stopped; reports the slowest answer and any failure. */
function pollHealth() {
  let stop = false;
  let slowest = 0;
  let answers = 0;
  let failure: unknown;
  const loop = (async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        const r = await fetch(`${cp.url}/healthz`);
        await r.text();
        if (r.status !== 200) failure = `healthz answered ${r.status}`;
        answers++;
      } catch (err) {
        failure = err;
      }
      slowest = Math.max(slowest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return async () => {
    stop = true;
    await loop;
    return { slowest, answers, failure };
  };
}

type Call = Parameters<TestControlPlane['call']>;

/** Sends one bad request with the health poller running and checks the common promises. */
async function refused(method: Call[0], path: Call[1], opts: Call[2] = {}) {
  const before = await snapshot();
  const health = pollHealth();
  await new Promise((r) => setTimeout(r, 30));
  const t0 = performance.now();
  const res = await cp.call(method, path, { token: user, ...opts });
  const took = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 30));
  const h = await health();
  statuses.push(res.status);
  expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(took).toBeLessThan(1000);
  expect(h.failure).toBeUndefined();
  expect(h.answers).toBeGreaterThan(0);
  expect(h.slowest).toBeLessThan(500);
  expect(await snapshot()).toEqual(before);
  return res.body as { status: number; code: string; detail: string; errors?: { field: string; message: string; hint?: string; line?: number }[] };
}

/** A nested document as text, built without JSON.stringify (which itself overflows at this depth). */
const deepText = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const create = (extra: Record<string, unknown>) => ({ provider: 'local-docker', source: { image: IMAGE }, ...extra });

describe('bad input never freezes or crashes the control plane', () => {
  it('30,000 invalid mounts: a short answer (first 50 problems and a count) in linear time', async () => {
    const devcontainer = JSON.stringify({ image: IMAGE, mounts: Array.from({ length: 30_000 }, () => 'x') });
    const body = await refused('POST', '/v1/workspaces', { json: create({ name: 'mounts', devcontainer }), headers: { 'idempotency-key': 'mounts-1' } });
    expect(body.code).toBe('config.invalid');
    expect(body.errors).toHaveLength(51);
    expect(body.errors!.find((e) => e.field === 'mounts')?.message).toMatch(/30000 entries; at most 1000/);
    expect(body.errors!.some((e) => e.field === 'mounts[0]' && /absolute path/.test(e.message) && e.line)).toBe(true);
    expect(body.errors!.at(-1)!.message).toBe('…and 29,951 more');
  });

  it('5,000-deep nesting, in devcontainer.json text and under customizations', async () => {
    for (const devcontainer of [
      `{"image": "${IMAGE}", "x": ${deepText(5000)}}`,
      `{"image": "${IMAGE}", "customizations": {"vscode": ${deepText(5000)}}}`,
    ]) {
      const body = await refused('POST', '/v1/workspaces', { json: create({ devcontainer }) });
      expect(body.code).toBe('config.invalid');
      expect(body.errors![0]!.message).toMatch(/nested more than 64 levels/);
      expect(body.errors![0]!.line).toBe(1);
    }
  });

  it('5,000-deep nesting in the JSON body itself (devcontainer as an object)', async () => {
    const text = JSON.stringify(create({ devcontainer: { image: IMAGE, customizations: 'HOLE' } })).replace('"HOLE"', deepText(5000));
    const body = await refused('POST', '/v1/workspaces', { body: text, headers: { 'content-type': 'application/json' } });
    expect(body.code).toBe('request.invalid');
    expect(body.errors![0]).toMatchObject({ field: 'body', message: expect.stringMatching(/nested more than 64 levels/) });
  });

  it('a recursive YAML alias in a provider file', async () => {
    const body = await refused('POST', '/v1/providers', { token: cp.adminToken, yaml: 'name: loopy\nagent: &a {x: *a}\n' });
    expect(body.code).toBe('config.invalid');
    expect(body.errors![0]).toMatchObject({ field: 'agent.x', message: expect.stringMatching(/inside its own anchor &a/), line: 2 });
  });

  it('5,000-deep flow nesting in a provider file', async () => {
    const body = await refused('POST', '/v1/providers', { token: cp.adminToken, yaml: `name: deep\nagent:\n  docker:\n    env: ${'['.repeat(5000)}${']'.repeat(5000)}\n` });
    expect(body.errors![0]!.message).toMatch(/nested more than 64 levels/);
  });

  it('crafted cursors', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const cursor of [
      'not-a-cursor!',
      b64({ pk: { S: 'x' } }),
      b64({ pk: 'WS#01ARZ3NDEKTSV4RRFFQ69G5FAV', sk: 'META', gsi2pk: 'OWNER#someone-else', gsi2sk: 'WS#2026#01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
      b64({ pk: 'WS#01ARZ3NDEKTSV4RRFFQ69G5FAV', sk: 'META', gsi2pk: 'OWNER#mallory', gsi2sk: 7 }),
      b64([1, 2]),
    ]) {
      const body = await refused('GET', `/v1/workspaces?cursor=${encodeURIComponent(cursor)}`);
      expect(body.code).toBe('request.invalid');
      expect(body.errors![0]!.field).toBe('query.cursor');
    }
  });

  it('a record over the item limit is refused before anything is written (no name or idempotency claim)', async () => {
    const devcontainer = JSON.stringify({ image: IMAGE, customizations: { blob: 'a'.repeat(420_000) } });
    const body = await refused('POST', '/v1/workspaces', { json: create({ name: 'huge', devcontainer }), headers: { 'idempotency-key': 'huge-1' } });
    expect(body.status).toBe(413);
    expect(body.code).toBe('request.tooLarge');
    expect(body.errors![0]!.field).toBe('body.devcontainer');
  });

  it('a provider file too large for one item is refused before it is parsed or stored', async () => {
    const body = await refused('POST', '/v1/providers', { token: cp.adminToken, yaml: `name: big\ndescription: ${'x'.repeat(300_000)}\n` });
    expect(body.status).toBe(413);
    expect(body.code).toBe('request.tooLarge');
  });

  it('local paths as image references point at git sources', async () => {
    for (const image of ['/local/path', './folder', '../up', '~/src']) {
      const body = await refused('POST', '/v1/workspaces', { json: { provider: 'local-docker', source: { image } } });
      expect(body.code).toBe('request.invalid');
      expect(body.errors![0]!.message).toMatch(/local path, not an image reference/);
      expect(body.errors![0]!.message).toMatch(/git/);
    }
    const inFile = await refused('POST', '/v1/workspaces', { json: create({ devcontainer: { image: './folder' } }) });
    expect(inFile.errors![0]).toMatchObject({ field: 'image', message: expect.stringMatching(/local path/), hint: expect.stringMatching(/git/) });
    const invalid = await refused('POST', '/v1/workspaces', { json: { provider: 'local-docker', source: { image: 'Not A Ref' } } });
    expect(invalid.errors![0]!.message).toMatch(/not a valid image reference/);
  });

  it('NUL bytes in names, env keys and values, options and workspaceFolder', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [create({ name: 'a\u0000b' }), /json\.name/],
      [{ provider: 'local\u0000docker', source: { image: IMAGE } }, /json\.provider/],
      [create({ env: { 'A\u0000B': 'x' } }), /json\.env/],
      [create({ env: { A: 'x\u0000y' } }), /json\.env\.A/],
      [create({ options: { DOCKER_HOST: 'unix:///x\u0000' } }), /json\.options/],
      [{ provider: 'local-docker', source: { git: { url: 'https://example.com/r\u0000.git' } } }, /json\.source\.git\.url/],
    ];
    for (const [json, field] of cases) {
      const body = await refused('POST', '/v1/workspaces', { json });
      expect(body.code).toBe('request.invalid');
      expect(body.errors!.map((e) => e.field).join(' ')).toMatch(field);
    }
    const exec = await refused('POST', '/v1/workspaces/01ARZ3NDEKTSV4RRFFQ69G5FAV/exec', { json: { command: ['echo', 'a\u0000'] } });
    expect(exec.errors![0]!.message).toMatch(/NUL/);
    const folder = await refused('POST', '/v1/workspaces', { json: create({ devcontainer: { image: IMAGE, workspaceFolder: '/work\u0000space', containerEnv: { 'K\u0000': 'v' } } }) });
    expect(folder.code).toBe('config.invalid');
    expect(folder.errors!.map((e) => `${e.field}: ${e.message}`)).toEqual(expect.arrayContaining([
      'workspaceFolder: contains a NUL character',
      expect.stringMatching(/^containerEnv\.K.: the key contains a NUL character$/),
    ]));
  });

  it('too many options in a request or a provider file', async () => {
    const options = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`OPT_${i}`, 'x']));
    const body = await refused('POST', '/v1/workspaces', { json: create({ options }) });
    expect(body.errors![0]!.message).toMatch(/at most 200 options/);
    const yaml = `name: many\noptions:\n${Array.from({ length: 201 }, (_, i) => `  OPT_${i}:\n    default: x\n`).join('')}`;
    const provider = await refused('POST', '/v1/providers', { token: cp.adminToken, yaml });
    expect(provider.errors![0]).toMatchObject({ field: 'options', message: expect.stringMatching(/201 options; at most 200/) });
  });

  it('answered no request with a 5xx, and the server still serves', async () => {
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect((await cp.call('GET', '/v1/workspaces', { token: user })).status).toBe(200);
  });
});
