import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { providerPath } from '../support/fixtures';
import { runCli } from '../support/processes';

let cp: TestControlPlane;
let env: Record<string, string>;
beforeAll(async () => {
  cp = await startControlPlane();
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: cp.adminToken };
});
afterAll(async () => { await cp?.dispose(); });

describe('workbay provider (CLI)', () => {
  it('adds the page\'s Kubernetes example and prints what it resolved', async () => {
    const r = await runCli(['provider', 'add', providerPath('simple-kubernetes')], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('provider simple-kubernetes added');
    expect(r.stdout).toMatch(/driver:\s+kubernetes/);
    expect(r.stdout).toMatch(/inactivity:\s+5m/);
    expect(r.stdout).toContain('persistentVolumeSize: "20Gi"');
  });

  it('refuses the page\'s text as printed with the line and a hint, exit 1', async () => {
    const r = await runCli(['provider', 'add', providerPath('simple-kubernetes-as-printed'), '--name', 'printed'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 1[89]/);
    expect(r.stderr).toMatch(/hint: .*indent/i);
  });

  it('adds with --name and -o, lists as JSON, sets options, deletes', async () => {
    const add = await runCli(['provider', 'add', providerPath('devpod-docker'), '--name', 'dd', '-o', 'INACTIVITY_TIMEOUT=10m', '--output', 'json'], env);
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ name: 'dd', inactivityTimeoutSeconds: 600 });
    const list = await runCli(['provider', 'list', '--output', 'json'], env);
    expect(JSON.parse(list.stdout).map((p: { name: string }) => p.name).sort()).toEqual(['dd', 'simple-kubernetes']);
    const human = await runCli(['provider', 'list'], env);
    expect(human.stdout).toMatch(/^NAME\s+DRIVER/);
    const set = await runCli(['provider', 'set-options', 'dd', '-o', 'DOCKER_PATH=/usr/bin/podman', '--json'], env);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout).agent.docker.path).toBe('/usr/bin/podman');
    expect((await runCli(['provider', 'delete', 'dd'], env)).stdout).toContain('provider dd deleted');
    const gone = await runCli(['provider', 'show', 'dd'], env);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('provider.notFound');
  });

  it('explains usage mistakes and auth failures', async () => {
    expect((await runCli(['provider', 'add'], env)).code).toBe(2);
    expect((await runCli(['provider', 'add', providerPath('docker-page'), '-o', 'NOEQUALS'], env)).code).toBe(2);
    const unauth = await runCli(['provider', 'list'], { WORKBAY_URL: cp.url, WORKBAY_TOKEN: '' });
    expect(unauth.code).toBe(1);
    expect(unauth.stderr).toContain('auth.unauthenticated');
    const down = await runCli(['provider', 'list'], { WORKBAY_URL: 'http://127.0.0.1:9', WORKBAY_TOKEN: 'x' });
    expect(down.stderr).toMatch(/cannot reach the workbay API/);
  });
});
