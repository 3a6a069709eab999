import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { testDocker } from '../support/docker-inspect';
import { startPodman, type PodmanEngine } from '../support/podman';
import { ROOT } from '../support/processes';

const IMAGE = 'workbay-test/busybox:local';
let podman: PodmanEngine;
let cp: TestControlPlane;
let env: Record<string, string>;
let wsId = '';

beforeAll(async () => {
  podman = await startPodman(testDocker(inject('dockerHost')), [IMAGE]);
  cp = await startControlPlane();
  const yaml = `name: podman\npath: podman\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${podman.host}\n`;
  expect((await cp.call('POST', '/v1/providers', { yaml })).status).toBe(201);
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: await cp.tokenFor('dev') };
  const r = await cp.call('POST', '/v1/workspaces?wait=25', { token: env.WORKBAY_TOKEN, json: { provider: 'podman', name: 'on-podman', source: { image: IMAGE } } });
  expect(r.body.statusReason).toBeUndefined();
  expect(r.body.status).toBe('Running');
  wsId = r.body.id;
}, 180_000);
afterAll(async () => {
  if (wsId) await cp?.call('DELETE', `/v1/workspaces/${wsId}?wait=25`);
  await cp?.dispose();
  await podman?.close();
}, 90_000);

/**
 * Runs `workbay <args>` inside a pseudo-terminal (util-linux `script`), types `lines` into it once
 * the shell answers, and returns everything the terminal showed.
 */
function inTerminal(args: string[], lines: string[], ms = 60_000): Promise<{ code: number | null; screen: string }> {
  const cmd = [process.execPath, `${ROOT}cli/workbay.mjs`, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...env, TERM: 'dumb' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  child.stdout.on('data', (d) => { screen += d; });
  child.stderr.on('data', (d) => { screen += d; });
  // Typed with pauses, as a person would: the shell must be up before it reads them.
  let i = 0;
  const typer = setInterval(() => {
    if (i < lines.length) child.stdin.write(`${lines[i++]}\n`);
  }, 1500);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(timer);
    clearInterval(typer);
    resolve({ code, screen });
  }));
}

describe('workbay ssh on a Podman workspace, through a pseudo-terminal', () => {
  it('the connection names podman with --url, since the podman CLI ignores DOCKER_HOST', async () => {
    const c = await cp.call('GET', `/v1/workspaces/${wsId}/connection`, { token: env.WORKBAY_TOKEN });
    expect(c.body.attach.slice(0, 5)).toEqual(['podman', '--url', podman.host, 'exec', '-it']);
  });

  it('workbay ssh --direct runs podman exec -it and opens a shell in the workspace', async () => {
    const r = await inTerminal(['ssh', '--direct', 'on-podman'], ['echo "in-$((6*7))-$(pwd)"', '[ -t 0 ] && echo has-a-tty', 'exit 5']);
    expect(r.screen).toContain('in-42-/workspaces/on-podman');
    expect(r.screen).toContain('has-a-tty');
    expect(r.code).toBe(5);
  }, 90_000);

  it('workbay ssh (through the control plane) opens a shell in the same workspace', async () => {
    const r = await inTerminal(['ssh', 'on-podman'], ['echo "brokered-$((6*7))"', 'exit 4']);
    expect(r.screen).toContain('brokered-42');
    expect(r.code).toBe(4);
  }, 90_000);
});
