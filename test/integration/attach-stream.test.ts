import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ATTACH_PROTOCOL } from '../../lib/attach/protocol';
import { attachTo, eventually, type AttachRun, type Refused } from '../support/attach-client';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';

const IMAGE = 'workbay-test/busybox:local';
let cp: TestControlPlane;
let dev: string;
let other: string;
let id: string;
let docker: Docker;

const run = (r: AttachRun | Refused): AttachRun => {
  if ('status' in r) throw new Error(`refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
};
/** Processes in the workspace container, as `ps` lines. */
const processes = async (): Promise<string[]> => {
  const [c] = await docker.listContainers({ filters: { label: [`workbay.dev/workspace-id=${id}`] } });
  const top = await docker.getContainer(c!.Id).top({ ps_args: '-eo pid,args' });
  return (top.Processes as string[][]).map((p) => p.join(' '));
};

beforeAll(async () => {
  cp = await startControlPlane();
  docker = new Docker({ socketPath: new URL(inject('dockerHost')).pathname });
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\ncontainerInactivityTimeout: 600\n' })).status).toBe(201);
  dev = await cp.tokenFor('dev');
  other = await cp.tokenFor('other');
  const devcontainer = JSON.stringify({ image: IMAGE, remoteUser: 'vscode', postAttachCommand: 'echo "attached as $(id -un)" >> /tmp/attach.log' });
  const r = await cp.call('POST', '/v1/workspaces?wait=25', { token: dev, json: { provider: 'local-docker', name: 'att', source: { image: IMAGE }, devcontainer } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  id = r.body.id;
}, 180_000);
afterAll(async () => {
  if (id) await cp?.call('DELETE', `/v1/workspaces/${id}?wait=25`, { token: dev });
  await cp?.dispose();
});

describe('the attach stream (WebSocket)', () => {
  it('runs a command with stdin, separate stderr and the exit code', async () => {
    const s = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'shell', command: ['sh', '-c', 'cat; echo oops >&2; exit 7'] } }));
    expect(s.sock.protocol).toBe(ATTACH_PROTOCOL);
    s.send('hello ');
    s.send('world\n');
    s.control({ type: 'eof' });
    expect(await s.closed).toEqual({ exit: 7, closeCode: 1000 });
    expect(s.stdout()).toBe('hello world\n');
    expect(s.stderr()).toBe('oops\n');
  });

  it('opens the login shell in a TTY with a bearer subprotocol, follows resizes, never echoes the token', async () => {
    const s = run(await attachTo(cp.url, id, { protocolToken: dev, start: { type: 'start', mode: 'shell', tty: true, cols: 100, rows: 30 } }));
    expect(s.sock.protocol).toBe(ATTACH_PROTOCOL);
    s.send('stty size; echo "n=$((6*7)) user=$(id -un) home=$HOME dir=$(pwd)"\r');
    await eventually('tty output', s.stdout, (o) => o.includes('n=42'));
    expect(s.stdout()).toContain('30 100');
    // The remoteUser's login shell, in the workspace folder.
    expect(s.stdout()).toContain('n=42 user=vscode home=/home/vscode dir=/workspaces/att');
    s.control({ type: 'resize', cols: 120, rows: 40 });
    await new Promise((r) => setTimeout(r, 300));
    s.send('stty size\r');
    await eventually('resized', s.stdout, (o) => o.includes('40 120'));
    s.send('exit 3\r');
    expect((await s.closed).exit).toBe(3);
  });

  it('runs postAttachCommand as the remote user on every attach, before the session', async () => {
    const lines = async () => {
      const s = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'shell', command: ['cat', '/tmp/attach.log'] } }));
      expect((await s.closed).exit).toBe(0);
      return s.stdout().split('\n').filter(Boolean);
    };
    const first = await lines();
    expect(first.length).toBeGreaterThanOrEqual(1);
    expect(first.every((l) => l === 'attached as vscode')).toBe(true);
    expect(await lines()).toHaveLength(first.length + 1);
  });

  it('refuses without a token (401), for another owner (404) and without an upgrade (400)', async () => {
    expect(await attachTo(cp.url, id, {})).toMatchObject({ status: 401, body: { code: 'auth.unauthenticated' } });
    expect(await attachTo(cp.url, id, { token: other })).toMatchObject({ status: 404, body: { code: 'workspace.notFound' } });
    expect(await attachTo(cp.url, id, { protocolToken: other })).toMatchObject({ status: 404 });
    expect(await attachTo(cp.url, '01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: dev })).toMatchObject({ status: 404, body: { code: 'workspace.notFound' } });
    expect(await attachTo(cp.url, 'not-an-id', { token: dev })).toMatchObject({ status: 400 });
    const plain = await cp.call('GET', `/v1/workspaces/${id}/attach`, { token: dev });
    expect(plain.status).toBe(400);
    expect(plain.body.detail).toMatch(/WebSocket/);
  });

  it('rejects a bad start frame and ends the stream', async () => {
    const s = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'shell', command: 'rm -rf /' } }));
    const c = await s.closed;
    expect(c.closeCode).toBe(1008);
    expect(s.controls[0]).toMatchObject({ type: 'error', code: 'request.invalid' });
  });

  it('ends the process in the workspace when the client vanishes mid-stream', async () => {
    const s = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'shell', command: ['sleep', '4321'] } }));
    await eventually('sleep running', processes, (ps) => ps.some((p) => p.includes('sleep 4321')));
    s.sock.terminate();
    await eventually('sleep gone', processes, (ps) => !ps.some((p) => p.includes('sleep 4321')));
    // The control plane is still serving.
    expect((await cp.call('GET', '/healthz', { token: null })).status).toBe(200);
  });

  it('counts as activity and is in the audit log', async () => {
    const ws = await cp.call('GET', `/v1/workspaces/${id}`, { token: dev });
    expect(ws.body.lastActivitySource).toBe('exec');
    const events = await cp.call('GET', `/v1/workspaces/${id}/events`, { token: dev });
    const attached = (events.body.items as Array<{ type: string; actor?: string; data?: { mode?: string } }>).filter((e) => e.type === 'workspace.attached');
    expect(attached.length).toBeGreaterThanOrEqual(4);
    expect(attached[0]).toMatchObject({ actor: 'dev', data: { mode: 'shell' } });
    expect(JSON.stringify(events.body)).not.toContain(dev);
  });

  it('forwards a port inside the workspace', async () => {
    const serve = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'shell', command: ['sh', '-c', 'mkdir -p /tmp/www && echo fwd-ok > /tmp/www/index.html && httpd -p 127.0.0.1:8080 -h /tmp/www'] } }));
    expect((await serve.closed).exit).toBe(0);
    const s = run(await attachTo(cp.url, id, { token: dev, start: { type: 'start', mode: 'port', port: 8080 } }));
    s.send('GET /index.html HTTP/1.0\r\nHost: x\r\n\r\n');
    await eventually('http answer', s.stdout, (o) => o.includes('fwd-ok'));
    expect(s.stdout()).toMatch(/^HTTP\/1\.[01] 200/);
    s.sock.close();
  });
});
