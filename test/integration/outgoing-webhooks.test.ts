import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateToken } from '../../lib/api';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { npmStart, runCli, type Started } from '../support/processes';
import { pollUntil } from '../support/wait';
import { WebhookReceiver } from '../support/webhook-receiver';

const IMAGE = 'workbay-test/busybox:local';
/** The spec's schedule shrunk a thousandfold: 5 s -> 5 ms, 5 min -> 0.3 s, 30 min -> 1.8 s, 2 h -> 7.2 s. */
const WEBHOOK_ENV = { WORKBAY_ALLOW_LOOPBACK_WEBHOOKS: 'true', WORKBAY_WEBHOOK_RETRY_SCALE: '0.001', WORKBAY_WEBHOOK_INTERVAL: '1s' };
const receiver = new WebhookReceiver();
let cp: TestControlPlane;
let carol: string;

const typesFor = (path: string, wsId: string) => receiver.accepted(path, wsId).map((r) => r.payload!.type);

beforeAll(async () => {
  await receiver.start();
  cp = await startControlPlane({ env: WEBHOOK_ENV });
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
  carol = await cp.tokenFor('carol');
}, 120_000);

afterAll(async () => {
  await cp?.dispose();
  await receiver.stop();
});

describe('outgoing events (Standard Webhooks)', () => {
  let hook: { id: string; secret: string };
  let hookGone: string;

  it('subscribes with a whsec_ secret shown once; refuses non-https and private URLs; scope all is for admins', async () => {
    const r = await cp.call('POST', '/v1/webhooks', { token: carol, json: { url: `${receiver.url}/carol`, description: 'carol\'s receiver' } });
    expect(r.status).toBe(201);
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(r.body).toMatchObject({ status: 'enabled', scope: 'own', owner: 'carol', signingSecrets: 1 });
    expect(r.body.eventTypes).toEqual(expect.arrayContaining(['workspace.created', 'workspace.running', 'workspace.stopped', 'workspace.deleted', 'workspace.error', 'workspace.idle-warning']));
    hook = { id: r.body.id, secret: r.body.secret };
    receiver.secrets.set('carol', hook.secret);

    const shown = await cp.call('GET', `/v1/webhooks/${hook.id}`, { token: carol });
    const listed = await cp.call('GET', '/v1/webhooks', { token: carol });
    expect(JSON.stringify([shown.body, listed.body])).not.toContain(hook.secret.slice(6));
    expect(listed.body.items.map((w: any) => w.id)).toEqual([hook.id]);

    const dave = await cp.tokenFor('dave');
    expect((await cp.call('GET', `/v1/webhooks/${hook.id}`, { token: dave })).status).toBe(404);
    expect((await cp.call('POST', '/v1/webhooks', { token: dave, json: { url: `${receiver.url}/dave`, scope: 'all' } })).status).toBe(403);
    const daveHook = await cp.call('POST', '/v1/webhooks', { token: dave, json: { url: `${receiver.url}/dave` } });
    expect(daveHook.status).toBe(201);
    const adminHook = await cp.call('POST', '/v1/webhooks', { json: { url: `${receiver.url}/admin`, scope: 'all', eventTypes: ['workspace.created'] } });
    expect(adminHook.status).toBe(201);
    receiver.secrets.set('admin', adminHook.body.secret);

    for (const url of ['http://example.com/hook', 'https://10.0.0.8/hook', 'https://169.254.169.254/latest/meta-data', 'ftp://example.com/']) {
      const bad = await cp.call('POST', '/v1/webhooks', { token: carol, json: { url } });
      expect(bad.status, url).toBe(400);
      expect(bad.body.errors[0].field).toBe('body.url');
    }
  });

  it('delivers created, running, stopped (with the reason) and deleted, each verified by the standardwebhooks library', async () => {
    const created = await cp.call('POST', '/v1/workspaces?wait=25', { token: carol, json: { provider: 'local-docker', name: 'hooked', source: { image: IMAGE } } });
    expect(created.body.status).toBe('Running');
    const id = created.body.id as string;
    expect((await cp.call('POST', `/v1/workspaces/${id}/stop?wait=25`, { token: carol })).body.status).toBe('Stopped');
    expect((await cp.call('DELETE', `/v1/workspaces/${id}?wait=25`, { token: carol })).status).toBe(204);

    await pollUntil(async () => typesFor('/carol', id), (t) => t.includes('workspace.deleted'), 30_000);
    const got = receiver.accepted('/carol', id);
    // No global order is promised (Standard Webhooks): receivers order by the payload's timestamp.
    expect(got.map((r) => r.payload!.type).sort()).toEqual(['workspace.created', 'workspace.deleted', 'workspace.running', 'workspace.stopped']);
    const byTime = [...got].sort((a, b) => a.payload!.timestamp.localeCompare(b.payload!.timestamp)).map((r) => r.payload!.type);
    expect(byTime).toEqual(['workspace.created', 'workspace.running', 'workspace.stopped', 'workspace.deleted']);
    for (const r of got) {
      expect(r.verifiedBy).toEqual(['carol']);
      expect(r.id).toMatch(/^msg_[0-9A-Z]{26}$/);
      expect(Math.abs(Number(r.timestamp) - Date.now() / 1000)).toBeLessThan(120);
      expect(r.payload!.data.workspace).toMatchObject({ id, name: 'hooked', owner: 'carol', provider: 'local-docker' });
    }
    expect(got.find((r) => r.payload!.type === 'workspace.stopped')!.payload!.data.stopReason).toBe('user');
    // The event id in the payload is the audit event's: receivers can read the rest of the story there.
    expect(new Set(got.map((r) => r.id)).size).toBe(4);
    // Only carol's subscription and the admin's "all" subscription (created events only) saw her workspace.
    expect(receiver.accepted('/dave', id)).toEqual([]);
    expect(receiver.accepted('/admin', id).map((r) => [r.payload!.type, r.verifiedBy])).toEqual([['workspace.created', ['admin']]]);
  }, 180_000);

  it('keeps retrying while the receiver is down, with the same webhook-id, and the log shows the failed attempts', async () => {
    receiver.status.set('/carol', 503);
    const started = Date.now();
    const created = await cp.call('POST', '/v1/workspaces?wait=25', { token: carol, json: { provider: 'local-docker', name: 'patient', source: { image: IMAGE } } });
    expect(created.body.status).toBe('Running');
    const id = created.body.id as string;
    const failing = () => receiver.received.filter((r) => r.path === '/carol' && r.answered === 503 && r.payload?.data.workspace?.id === id);
    await pollUntil(async () => failing().filter((r) => r.payload!.type === 'workspace.created').length, (n) => n >= 3, 30_000);
    receiver.status.delete('/carol');

    await pollUntil(async () => typesFor('/carol', id), (t) => t.includes('workspace.created') && t.includes('workspace.running'), 60_000);
    const ok = receiver.accepted('/carol', id);
    for (const r of ok) {
      expect(r.verifiedBy).toEqual(['carol']);
      // Each failed attempt of this event carried the id the successful one carries.
      const earlier = failing().filter((f) => f.payload!.type === r.payload!.type);
      expect(earlier.length).toBeGreaterThan(0);
      expect(new Set(earlier.map((f) => f.id))).toEqual(new Set([r.id]));
    }

    const log = await cp.call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`, { token: carol });
    expect(log.status).toBe(200);
    const entry = log.body.items.find((d: any) => d.workspaceId === id && d.type === 'workspace.created');
    expect(entry).toMatchObject({ status: 'delivered', messageId: ok.find((r) => r.payload!.type === 'workspace.created')!.id });
    const failed = entry.attempts.filter((a: any) => a.statusCode === 503);
    expect(failed.length).toBeGreaterThanOrEqual(3);
    for (const a of failed) {
      expect(a).toMatchObject({ error: 'HTTP 503' });
      expect(typeof a.durationMs).toBe('number');
      expect(Date.parse(a.nextAttemptAt)).toBeGreaterThan(Date.parse(a.at));
    }
    expect(entry.attempts.at(-1)).toMatchObject({ statusCode: 200 });
    expect(entry.attempts.map((a: any) => a.attempt)).toEqual(entry.attempts.map((_: unknown, i: number) => i + 1));
    // Spacing grows with the schedule: the gap before the fourth try is longer than before the second.
    const at = entry.attempts.map((a: any) => Date.parse(a.at));
    if (at.length >= 4) expect(at[3] - at[2]).toBeGreaterThan(at[1] - at[0]);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(JSON.stringify(log.body)).not.toContain(hook.secret.slice(6));
    await cp.call('DELETE', `/v1/workspaces/${id}?wait=25`, { token: carol });
  }, 180_000);

  it('replays a delivery with the same webhook-id', async () => {
    const log = await cp.call('GET', `/v1/webhooks/${hook.id}/deliveries`, { token: carol });
    const delivered = log.body.items.find((d: any) => d.status === 'delivered');
    const before = receiver.accepted('/carol').filter((r) => r.id === delivered.messageId).length;
    const r = await cp.call('POST', `/v1/webhooks/${hook.id}/deliveries/${delivered.id}/replay`, { token: carol });
    expect(r.status).toBe(202);
    await pollUntil(async () => receiver.accepted('/carol').filter((x) => x.id === delivered.messageId).length, (n) => n > before, 20_000);
    const again = (await cp.call('GET', `/v1/webhooks/${hook.id}/deliveries?limit=100`, { token: carol })).body.items.find((d: any) => d.id === delivered.id);
    expect(again.attempts.at(-1)).toMatchObject({ replay: true, statusCode: 200 });
  }, 60_000);

  it('disables an endpoint that answers 410 and tells its owner through their other subscription', async () => {
    const r = await cp.call('POST', '/v1/webhooks', { token: carol, json: { url: `${receiver.url}/gone`, eventTypes: ['workspace.created'] } });
    hookGone = r.body.id;
    receiver.status.set('/gone', 410);
    const ws = await cp.call('POST', '/v1/workspaces', { token: carol, json: { provider: 'local-docker', name: 'gone', source: { image: IMAGE } } });
    const shown = await pollUntil(async () => (await cp.call('GET', `/v1/webhooks/${hookGone}`, { token: carol })).body, (w) => w.status === 'disabled', 30_000);
    expect(shown.disabledReason).toMatch(/410/);
    const told = await pollUntil(async () => receiver.accepted('/carol').filter((x) => x.payload?.type === 'webhook.disabled'), (t) => t.length > 0, 30_000);
    expect(told[0]!.payload!.data).toMatchObject({ webhook: { id: hookGone, owner: 'carol' }, reason: expect.stringMatching(/410/) });
    expect(told[0]!.verifiedBy).toEqual(['carol']);
    expect(receiver.received.filter((x) => x.path === '/gone')).toHaveLength(1);
    await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token: carol });
    const log = (await cp.call('GET', `/v1/webhooks/${hookGone}/deliveries`, { token: carol })).body.items;
    expect(log[0]).toMatchObject({ status: 'failed' });
    expect(log[0].attempts[0]).toMatchObject({ statusCode: 410 });
  }, 90_000);

  it('signs with both secrets during a rotation; each one verifies the delivery on its own', async () => {
    const r = await cp.call('POST', `/v1/webhooks/${hook.id}/rotate-secret`, { token: carol });
    expect(r.status).toBe(200);
    expect(r.body.secret).toMatch(/^whsec_/);
    expect(r.body.secret).not.toBe(hook.secret);
    expect(r.body).toMatchObject({ signingSecrets: 2 });
    expect(Date.parse(r.body.previousSecretValidUntil) - Date.now()).toBeGreaterThan(23 * 3600_000);
    receiver.secrets.set('carol-new', r.body.secret);
    const ws = await cp.call('POST', '/v1/workspaces', { token: carol, json: { provider: 'local-docker', name: 'rotated', source: { image: IMAGE } } });
    const [got] = await pollUntil(async () => receiver.accepted('/carol', ws.body.id), (x) => x.length > 0, 30_000);
    expect(got!.signatures).toHaveLength(2);
    expect(got!.verifiedBy.sort()).toEqual(['carol', 'carol-new']);
    await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token: carol });
  }, 90_000);

  it('the CLI adds, lists, shows the delivery log and replays', async () => {
    const env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: carol };
    const add = await runCli(['webhook', 'add', `${receiver.url}/cli`, '--event', 'workspace.created', '--description', 'from the cli'], env);
    expect(add.code).toBe(0);
    const secret = /^(whsec_\S+)$/m.exec(add.stdout)?.[1];
    expect(secret).toBeDefined();
    const id = /webhook (\S+) ->/.exec(add.stdout)![1]!;
    receiver.secrets.set('cli', secret!);
    const list = await runCli(['webhook', 'list'], env);
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(secret!.slice(6));
    const ws = await cp.call('POST', '/v1/workspaces', { token: carol, json: { provider: 'local-docker', name: 'cli-hooked', source: { image: IMAGE } } });
    await pollUntil(async () => receiver.accepted('/cli', ws.body.id), (x) => x.length > 0, 30_000);
    expect(receiver.accepted('/cli', ws.body.id)[0]!.verifiedBy).toEqual(['cli']);
    const log = await runCli(['webhook', 'deliveries', id], env);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/workspace\.created\s+delivered\s+1\s+200/);
    const deliveryId = /^([0-9A-Z]{26})\s/m.exec(log.stdout)![1]!;
    expect((await runCli(['webhook', 'replay', id, deliveryId], env)).stdout).toContain('queued again');
    await pollUntil(async () => receiver.accepted('/cli', ws.body.id).length, (n) => n >= 2, 20_000);
    expect((await runCli(['webhook', 'delete', id], env)).code).toBe(0);
    expect((await runCli(['webhook', 'delete', id], env)).code).toBe(1);
    await cp.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token: carol });
  }, 90_000);

  it('removes a subscription', async () => {
    expect((await cp.call('DELETE', `/v1/webhooks/${hookGone}`, { token: carol })).status).toBe(204);
    expect((await cp.call('GET', `/v1/webhooks/${hookGone}`, { token: carol })).status).toBe(404);
  });
});

describe('a control plane killed between the state change and the delivery', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workbay-hooks-crash-'));
  const admin = generateToken();
  const env = {
    PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: admin, DOCKER_HOST: inject('dockerHost'),
    WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host', WORKBAY_RECONCILE_INTERVAL: '1s', ...WEBHOOK_ENV,
  };
  let server: Started | undefined;
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const call = async (method: string, path: string, json?: unknown) => {
    const res = await fetch(`${server!.url}${path}`, {
      method, headers: { authorization: `Bearer ${admin}`, ...(json ? { 'content-type': 'application/json' } : {}) }, body: json ? JSON.stringify(json) : undefined,
    });
    return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as any };
  };

  it('loses nothing: after a restart every event arrives, verified, with the ids the log gave them', async () => {
    // Really down: the port refuses connections until after the restart.
    await receiver.stop();
    server = await npmStart(env);
    expect((await call('POST', '/v1/providers', { yaml: 'name: local-docker\n' })).status).toBe(201);
    const hook = await call('POST', '/v1/webhooks', { url: `${receiver.url}/crash` });
    receiver.secrets.set('crash', hook.body.secret);
    const ws = await call('POST', '/v1/workspaces?wait=25', { provider: 'local-docker', name: 'crashy', source: { image: IMAGE } });
    expect(ws.body.status).toBe('Running');
    const before = await pollUntil(async () => (await call('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.items, (d: any[]) => d.length >= 2 && d.every((x) => x.attempts.length > 0), 20_000);
    expect(before.map((d: any) => d.status)).toEqual(['pending', 'pending']);
    process.kill(-server.child.pid!, 'SIGKILL');
    await new Promise((r) => server!.child.once('exit', r));
    expect(receiver.accepted('/crash')).toEqual([]);

    await receiver.start();
    server = await npmStart(env);
    const got = await pollUntil(async () => receiver.accepted('/crash'), (x) => x.length >= 2, 60_000);
    expect(got.map((r) => r.payload!.type).sort()).toEqual(['workspace.created', 'workspace.running']);
    expect(got.every((r) => r.verifiedBy.includes('crash'))).toBe(true);
    expect(got.map((r) => r.id).sort()).toEqual(before.map((d: any) => d.messageId).sort());
    const after = (await call('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.items;
    for (const d of after.filter((x: any) => x.type !== 'workspace.deleted')) {
      expect(d.attempts[0].error).toMatch(/ECONNREFUSED/);
      expect(d.attempts.at(-1)).toMatchObject({ statusCode: 200 });
    }
    expect((await call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`)).status).toBe(204);
    await pollUntil(async () => receiver.accepted('/crash').map((r) => r.payload!.type), (t) => t.includes('workspace.deleted'), 30_000);
  }, 240_000);
});

describe('an endpoint that keeps failing', () => {
  let cp2: TestControlPlane;
  afterAll(async () => { await cp2?.dispose(); });

  it('is disabled once it has failed for longer than the disable window, and its owner is told', async () => {
    // Five days on AWS; two seconds here.
    cp2 = await startControlPlane({ env: { ...WEBHOOK_ENV, WORKBAY_WEBHOOK_DISABLE_AFTER: '2s' } });
    await cp2.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
    const erin = await cp2.tokenFor('erin');
    receiver.status.set('/flaky', 500);
    const flaky = await cp2.call('POST', '/v1/webhooks', { token: erin, json: { url: `${receiver.url}/flaky`, eventTypes: ['workspace.created'] } });
    const told = await cp2.call('POST', '/v1/webhooks', { token: erin, json: { url: `${receiver.url}/erin`, eventTypes: ['webhook.disabled'] } });
    receiver.secrets.set('erin', told.body.secret);
    const ws = await cp2.call('POST', '/v1/workspaces', { token: erin, json: { provider: 'local-docker', name: 'flaky', source: { image: IMAGE } } });
    const shown = await pollUntil(async () => (await cp2.call('GET', `/v1/webhooks/${flaky.body.id}`, { token: erin })).body, (w) => w.status === 'disabled', 60_000);
    expect(shown.disabledReason).toMatch(/every attempt failed since/);
    expect(Date.parse(shown.disabledAt) - Date.parse(shown.failingSince)).toBeGreaterThanOrEqual(2000);
    const notice = await pollUntil(async () => receiver.accepted('/erin'), (x) => x.length > 0, 30_000);
    expect(notice[0]!.payload).toMatchObject({ type: 'webhook.disabled', data: { webhook: { id: flaky.body.id, url: `${receiver.url}/flaky` } } });
    expect(notice[0]!.verifiedBy).toEqual(['erin']);
    const tries = receiver.received.filter((r) => r.path === '/flaky').length;
    await new Promise((r) => setTimeout(r, 3000));
    expect(receiver.received.filter((r) => r.path === '/flaky').length).toBe(tries);
    await cp2.call('DELETE', `/v1/workspaces/${ws.body.id}?wait=25`, { token: erin });
  }, 120_000);
});
