import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isValidSlackRequest } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { dumpTable } from '../support/table-dump';
import { pollUntil } from '../support/wait';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TEAM = 'T0001ABCD';
const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let receiver: Server;
let responseUrl = '';
const received: any[] = [];
let aliceToken = '';

/** The form Slack POSTs for a slash command. */
function slashBody(text: string, user = 'U0ALICE01'): string {
  return new URLSearchParams({
    token: 'gIkuvaNzQIHg97ATvDxqgjtO', team_id: TEAM, team_domain: 'example', enterprise_id: '', channel_id: 'C2147483705',
    channel_name: 'dev', user_id: user, user_name: 'alice', command: '/workbay', text, api_app_id: 'A123456',
    is_enterprise_install: 'false', response_url: responseUrl, trigger_id: `${Date.now()}.${randomUUID()}`,
  }).toString();
}

/** Signs as Slack does: v0=HMAC-SHA256(secret, "v0:<ts>:<body>"), checked below with Bolt's own verifier. */
function slackHeaders(body: string, o: { ts?: number; secret?: string } = {}): Record<string, string> {
  const ts = o.ts ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', o.secret ?? SECRET).update(`v0:${ts}:${body}`).digest('hex')}`;
  return { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(ts), 'x-slack-signature': signature };
}

async function command(text: string, o: { headers?: Record<string, string>; body?: string } = {}) {
  const body = o.body ?? slashBody(text);
  const headers = o.headers ?? slackHeaders(body);
  const started = Date.now();
  const r = await cp.call('POST', '/v1/integrations/slack/chatops', { token: null, headers, body });
  return { ...r, ms: Date.now() - started, sent: { body, headers } };
}

beforeAll(async () => {
  cp = await startControlPlane({ env: { SLACK_SIGNING_SECRET: SECRET, WORKBAY_ALLOW_LOOPBACK_CALLBACKS: 'true' } });
  receiver = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => {
      received.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(data) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  responseUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/commands/T0001ABCD/1234/abcd`;
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  const r = await cp.call('POST', '/v1/integrations', { json: { kind: 'slack', name: 'chatops', signingSecret: 'env:SLACK_SIGNING_SECRET', teamId: TEAM, provider: 'local-docker' } });
  expect(r.status).toBe(201);
  aliceToken = await cp.tokenFor('alice');
});
afterAll(async () => {
  await cp?.dispose();
  await new Promise((r) => receiver?.close(r));
});

describe('Slack slash commands', () => {
  it('signs the way Slack does (Bolt\'s verifier agrees)', () => {
    const body = slashBody('help');
    const h = slackHeaders(body);
    expect(isValidSlackRequest({ signingSecret: SECRET, body, headers: { 'x-slack-signature': h['x-slack-signature']!, 'x-slack-request-timestamp': Number(h['x-slack-request-timestamp']) } })).toBe(true);
    const old = slackHeaders(body, { ts: Math.floor(Date.now() / 1000) - 301 });
    expect(isValidSlackRequest({ signingSecret: SECRET, body, headers: { 'x-slack-signature': old['x-slack-signature']!, 'x-slack-request-timestamp': Number(old['x-slack-request-timestamp']) } })).toBe(false);
  });

  it('refuses requests older than 5 minutes, bad or missing signatures with 401 and changes nothing', async () => {
    await cp.settle();
    const before = await dumpTable(cp.store);
    const body = slashBody('up workbay-test/busybox:local');
    const stale = await command('', { body, headers: slackHeaders(body, { ts: Math.floor(Date.now() / 1000) - 301 }) });
    const wrong = await command('', { body, headers: slackHeaders(body, { secret: 'not the signing secret' }) });
    const tampered = await command('', { body: body.replace('busybox', 'busybax'), headers: slackHeaders(body) });
    const missing = await command('', { body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    for (const r of [stale, wrong, tampered, missing]) {
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('integration.badSignature');
    }
    expect(stale.body.detail).toMatch(/5 minutes/);
    expect(await dumpTable(cp.store)).toEqual(before);
  });

  it('an unlinked user is told how to link; /workbay link proves the owner with a token it never stores', async () => {
    const unlinked = await command('list');
    expect(unlinked.status).toBe(200);
    expect(unlinked.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/not linked/) });
    const bad = await command('link wbt_not-a-token');
    expect(bad.body.text).toMatch(/not valid/);
    const linked = await command(`link ${aliceToken}`);
    expect(linked.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/owner \*alice\*/) });
    expect(JSON.stringify(linked.body)).not.toContain(aliceToken);
    expect(JSON.stringify(await dumpTable(cp.store))).not.toContain(aliceToken);
    expect((await cp.call('GET', '/v1/integrations/chatops')).body.links).toEqual([{ team: TEAM, user: 'U0ALICE01', owner: 'alice' }]);
  });

  let name = '';
  it('up answers within 3 s with ephemeral text; the response_url later gets a Running message', async () => {
    const r = await command(`up ${IMAGE}`);
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(r.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/^Creating workspace \*busybox\*/) });
    name = 'busybox';
    const retried = await command('', { body: r.sent.body, headers: { ...slackHeaders(r.sent.body), 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retried.body.text).toMatch(/Already on it/);
    const got = await pollUntil(async () => received, (x) => x.length > 0, 120_000);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ path: '/commands/T0001ABCD/1234/abcd', type: 'application/json', body: { response_type: 'ephemeral', replace_original: false } });
    const text = JSON.stringify(got[0].body.blocks);
    expect(text).toContain('*busybox* is running');
    expect(text).toContain('workbay ssh busybox');
    const list = (await cp.call('GET', '/v1/workspaces?owner=alice')).body.items as any[];
    expect(list.map((w) => [w.name, w.status])).toEqual([['busybox', 'Running']]);
  }, 150_000);

  it('list, status and stop act as the linked owner', async () => {
    expect((await command('list')).body.text).toMatch(/\*busybox\* Running/);
    expect((await command(`status ${name}`)).body.text).toMatch(/\*busybox\* is Running/);
    expect((await command('status nope')).body.text).toMatch(/no workspace named/);
    expect((await command(`stop ${name}`)).body.text).toMatch(/Stopping \*busybox\*/);
    const ws = await pollUntil(async () => ((await cp.call('GET', '/v1/workspaces?owner=alice')).body.items as any[])[0], (w) => w?.status === 'Stopped', 60_000);
    expect(ws.status).toBe('Stopped');
    // A stop the user asked for is not followed up; only one message (Running) was posted.
    expect(received).toHaveLength(1);
    expect((await command(`delete ${name}`)).body.text).toMatch(/Deleting/);
  }, 90_000);

  it('a workspace that fails is followed up with an Error message', async () => {
    const r = await command('up workbay-test/not-built-here:1');
    expect(r.body.text).toMatch(/^Creating workspace \*not-built-here\*/);
    const got = await pollUntil(async () => received.filter((m) => JSON.stringify(m.body.blocks).includes('not-built-here')), (x) => x.length > 0, 120_000);
    expect(got[0].body.text).toMatch(/not-built-here failed: /);
    const ws = ((await cp.call('GET', '/v1/workspaces?owner=alice')).body.items as any[]).find((w) => w.name === 'not-built-here');
    expect(ws.status).toBe('Error');
  }, 150_000);

  it('help lists the commands', async () => {
    const r = await command('help');
    expect(r.body.text).toMatch(/\/workbay up/);
    expect(r.body.text).toMatch(/\/workbay link/);
  });
});
