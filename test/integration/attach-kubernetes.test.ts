import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { attachTo, eventually, type AttachRun, type Refused } from '../support/attach-client';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { providerYaml } from '../support/fixtures';
import { startKubeSim, type KubeSim } from '../support/kube-sim';

const IMAGE = 'workbay-test/busybox:local';
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-attach-'));
const kubeconfig = join(dir, 'kubeconfig');
let sim: KubeSim;
let cp: TestControlPlane;
let token: string;
let id: string;

const run = (r: AttachRun | Refused): AttachRun => {
  if ('status' in r) throw new Error(`refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
};

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(kubeconfig);
  cp = await startControlPlane({ kubeconfig, kubeTimeoutSeconds: 5 });
  token = await cp.tokenFor('kube-user');
  expect((await cp.call('POST', '/v1/providers', { yaml: providerYaml('simple-kubernetes') })).status).toBe(201);
  const devcontainer = JSON.stringify({ image: IMAGE, containerEnv: { GREETING: 'hi from k8s' }, postAttachCommand: 'echo attached >> /tmp/attach.log' });
  const r = await cp.call('POST', '/v1/workspaces?wait=25', { token, json: { provider: 'simple-kubernetes', name: 'k8s-attach', source: { image: IMAGE }, devcontainer } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  id = r.body.id;
}, 120_000);
afterAll(async () => {
  if (id) await cp?.call('DELETE', `/v1/workspaces/${id}?wait=25`, { token });
  await cp?.dispose();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the attach stream on Kubernetes (pods/exec with stdin and TTY)', () => {
  it('runs a command with stdin, stderr, the container env and the exit code', async () => {
    const s = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', command: ['sh', '-c', 'cat; echo "$GREETING" >&2; exit 6'] } }));
    s.send('through the pod\n');
    s.control({ type: 'eof' });
    expect(await s.closed).toEqual({ exit: 6, closeCode: 1000 });
    expect(s.stdout()).toBe('through the pod\n');
    expect(s.stderr()).toBe('hi from k8s\n');
  });

  it('opens a TTY that follows resizes, and runs postAttachCommand on every attach', async () => {
    const s = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', tty: true, cols: 90, rows: 20 } }));
    s.send('stty size; cat /tmp/attach.log\r');
    await eventually('tty output', s.stdout, (o) => o.includes('20 90') && o.includes('attached'));
    s.control({ type: 'resize', cols: 132, rows: 43 });
    await new Promise((r) => setTimeout(r, 300));
    s.send('stty size\r');
    await eventually('resized', s.stdout, (o) => o.includes('43 132'));
    s.send('exit 2\r');
    expect((await s.closed).exit).toBe(2);
    const lines = async () => {
      const s2 = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', command: ['cat', '/tmp/attach.log'] } }));
      expect((await s2.closed).exit).toBe(0);
      return s2.stdout().split('\n').filter(Boolean);
    };
    const first = await lines();
    expect(first.every((l) => l === 'attached')).toBe(true);
    expect(await lines()).toHaveLength(first.length + 1);
  });

  it('forwards a port inside the pod', async () => {
    const serve = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', command: ['sh', '-c', 'mkdir -p /tmp/www && echo k8s-fwd > /tmp/www/index.html && httpd -p 127.0.0.1:8080 -h /tmp/www'] } }));
    expect((await serve.closed).exit).toBe(0);
    const s = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'port', port: 8080 } }));
    s.send('GET /index.html HTTP/1.0\r\n\r\n');
    await eventually('http answer', s.stdout, (o) => o.includes('k8s-fwd'));
    s.sock.close();
  });

  it('ends the process in the pod when the client vanishes mid-stream', async () => {
    const ps = async () => {
      const s = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', command: ['ps', '-o', 'args'] } }));
      await s.closed;
      return s.stdout();
    };
    const s = run(await attachTo(cp.url, id, { token, start: { type: 'start', mode: 'shell', command: ['sleep', '4322'] } }));
    await eventually('sleep running', ps, (o) => o.includes('sleep 4322'));
    s.sock.terminate();
    await eventually('sleep gone', ps, (o) => !o.includes('sleep 4322'));
  });

  it("another owner's workspace is 404", async () => {
    const other = await cp.tokenFor('someone-else');
    expect(await attachTo(cp.url, id, { token: other })).toMatchObject({ status: 404 });
  });
});
