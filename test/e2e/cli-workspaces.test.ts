import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { runCli } from '../support/processes';

const IMAGE = 'workbay-test/busybox:local';
const LABEL = 'workbay.dev/workspace-id';

let cp: TestControlPlane;
let env: Record<string, string>;
let dir: string;
let docker: Docker;
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  cp = await startControlPlane();
  docker = new Docker({ socketPath: new URL(inject('dockerHost')).pathname });
  dir = mkdtempSync(join(tmpdir(), 'workbay-cli-'));
  writeFileSync(join(dir, 'devcontainer.json'), `// JSONC: comments are fine
{"image":"${IMAGE}","containerEnv":{"GREETING":"hi"},"postCreateCommand":"echo created >> /tmp/pc.log","postStartCommand":"echo started >> /tmp/ps.log"}`);
  // Stands in for the docker CLI so `ssh` can be checked without a terminal.
  writeFileSync(join(dir, 'echo-docker'), '#!/bin/sh\necho "args: $*"\necho "DOCKER_HOST=$DOCKER_HOST"\nexit 3\n');
  chmodSync(join(dir, 'echo-docker'), 0o755);
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\ncontainerInactivityTimeout: 300\n' })).status).toBe(201);
  expect((await cp.call('POST', '/v1/providers', { yaml: `name: echo-docker\npath: ${join(dir, 'echo-docker')}\n` })).status).toBe(201);
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: await cp.tokenFor('dev') };
});
afterAll(async () => {
  await cp?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const containerOf = async (id: string) => (await docker.listContainers({ all: true, filters: { label: [`${LABEL}=${id}`] } }))[0];

describe('workbay workspace commands (CLI)', () => {
  let id: string;

  it('up shows live progress and ends with the attach command', async () => {
    const r = await cli('up', IMAGE, '--provider', 'local-docker', '--name', 'cli-one', '--devcontainer', join(dir, 'devcontainer.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\[created\] /m);
    expect(r.stdout).toContain('[lifecycle] running postCreateCommand');
    expect(r.stdout).toContain('[lifecycle] running postStartCommand');
    expect(r.stdout).toMatch(/is running; attach with: workbay ssh cli-one$/m);
    const m = /workspace cli-one \(([0-9A-Z]{26})\) is running[^]*engine access for operators: DOCKER_HOST=\S+ docker exec -it .*workbay-([0-9a-z]{26}) sh\)$/m.exec(r.stdout);
    expect(m, r.stdout).toBeTruthy();
    id = m![1]!;
    expect(m![2]).toBe(id.toLowerCase());
  });

  it('exec passes argv, prints the output and exits with the command\'s code', async () => {
    const r = await cli('exec', 'cli-one', '--', 'sh', '-c', 'echo $GREETING; cat /tmp/pc.log');
    expect(r).toMatchObject({ code: 0, stdout: 'hi\ncreated\n' });
    const four = await cli('exec', 'cli-one', '--', 'sh', '-c', 'echo oops >&2; exit 4');
    expect(four).toMatchObject({ code: 4, stderr: 'oops\n' });
    expect((await cli('exec', 'cli-one')).code).toBe(2);
  });

  it('list shows the workspace Running', async () => {
    const r = await cli('list');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+ID\s+STATUS\s+PROVIDER\s+IDLE-DEADLINE\s+CLEANUP$/m);
    expect(r.stdout).toMatch(new RegExp(`^cli-one\\s+${id}\\s+Running\\s+local-docker\\s+\\d{4}-`, 'm'));
    const json = JSON.parse((await cli('list', '--all-pages', '--status', 'Running', '--json')).stdout);
    expect(json.map((w: { name: string }) => w.name)).toEqual(['cli-one']);
  });

  it('stop waits until Stopped and the container has exited', async () => {
    const r = await cli('stop', 'cli-one');
    expect(r).toMatchObject({ code: 0, stdout: 'workspace cli-one is Stopped\n' });
    expect((await containerOf(id))?.State).toBe('exited');
  });

  it('start runs postStart again but not postCreate', async () => {
    const r = await cli('start', id);
    expect(r).toMatchObject({ code: 0, stdout: 'workspace cli-one is Running\n' });
    const logs = await cli('exec', 'cli-one', '--', 'sh', '-c', 'cat /tmp/ps.log /tmp/pc.log');
    expect(logs.stdout).toBe('started\nstarted\ncreated\n');
  });

  it('up of an existing stopped workspace starts it again (as devpod up does) with its files', async () => {
    expect((await cli('stop', 'cli-one')).code).toBe(0);
    const r = await cli('up', 'workbay-test/busybox:local', '--provider', 'local-docker', '--name', 'cli-one');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/workspace cli-one \(\w+\) is running/);
    expect(r.stdout).not.toContain('[created]');
    const logs = await cli('exec', 'cli-one', '--', 'sh', '-c', 'cat /tmp/ps.log /tmp/pc.log');
    expect(logs.stdout).toBe('started\nstarted\nstarted\ncreated\n');
  });

  it('status --json, status and logs', async () => {
    const s = await cli('status', 'cli-one', '--json');
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ id, name: 'cli-one', status: 'Running', provider: 'local-docker', inactivityTimeoutSeconds: 300 });
    const human = await cli('status', 'cli-one');
    expect(human.stdout).toMatch(/^inactivity:\s+5m \(provider\)$/m);
    expect(human.stdout).toMatch(/^last activity:\s+\S+ \((start|exec)\)$/m);
    const logs = await cli('logs', 'cli-one', '--tail', '50');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Container started');
  });

  it('ssh --direct runs the provider\'s attach command with its environment', async () => {
    const up = await cli('up', IMAGE, '--provider', 'echo-docker', '--name', 'cli-two', '--json');
    expect(up.code).toBe(0);
    const two = JSON.parse(up.stdout) as { id: string; status: string };
    expect(two.status).toBe('Running');
    const r = await cli('ssh', '--direct', 'cli-two');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('args: exec -it');
    expect(r.stdout).toContain(`workbay-${two.id.toLowerCase()}`);
    expect(r.stdout).toContain(`DOCKER_HOST=${inject('dockerHost')}`);
    expect(await cli('delete', 'cli-two')).toMatchObject({ stderr: '', code: 0, stdout: 'workspace cli-two deleted\n' });
  });

  it('delete removes the container and the volume', async () => {
    expect(await cli('delete', 'cli-one')).toMatchObject({ stderr: '', code: 0, stdout: 'workspace cli-one deleted\n' });
    expect(await containerOf(id)).toBeUndefined();
    const { Volumes } = await docker.listVolumes({ filters: { name: [`workbay-${id.toLowerCase()}`] } });
    expect(Volumes ?? []).toEqual([]);
    const gone = await cli('status', 'cli-one');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no workspace named "cli-one"');
  });

  it('up of an image that cannot be pulled exits 1 with the reason', async () => {
    const r = await cli('up', '127.0.0.1:1/workbay-test/does-not-exist:nope', '--provider', 'local-docker', '--name', 'cli-bad');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cli-bad failed: .*does-not-exist:nope.*could not be pulled/);
    expect(r.stdout).toContain('[error] ');
  });

  it('up --no-wait returns at once, and a retried up with the same key makes no second workspace', async () => {
    const args = ['up', IMAGE, '--provider', 'local-docker', '--name', 'cli-three', '--idempotency-key', 'retry-1', '--no-wait', '--json'];
    const first = await cli(...args);
    const again = await cli(...args);
    expect(first.code).toBe(0);
    expect(JSON.parse(again.stdout).id).toBe(JSON.parse(first.stdout).id);
    const names = JSON.parse((await cli('list', '--json')).stdout).map((w: { name: string }) => w.name);
    expect(names.filter((n: string) => n === 'cli-three')).toHaveLength(1);
    expect((await cli('delete', 'cli-three')).code).toBe(0);
  });

  it('usage mistakes exit 2, unknown workspaces 1', async () => {
    expect((await cli('up', IMAGE)).code).toBe(2);
    expect((await cli('logs', 'cli-one', '--tail', 'x')).code).toBe(2);
    const r = await cli('exec', 'no-such-ws', '--', 'true');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no workspace named "no-such-ws"');
  });
});
