import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { prepareInstallHost, type InstallHost } from '../support/engine-install';
import { startGitServer, type GitServer } from '../support/git-server';
import { startSshd, type TestSshd } from '../support/sshd';

const IMAGE = 'workbay-test/busybox:local';
let sshd: TestSshd;
let cp: TestControlPlane;
let git: GitServer;
let installHost: InstallHost;
const logs: string[] = [];
const docker = testDocker();
const engineSocket = () => new URL(inject('dockerHost')).pathname;

beforeAll(async () => {
  sshd = await startSshd();
  git = await startGitServer();
  installHost = await prepareInstallHost(docker, IMAGE);
  // The key reaches the control plane as env:SSH_TEST_KEY, as an admin would hand it in.
  cp = await startControlPlane({ log: (e) => logs.push(JSON.stringify(e)), env: { SSH_TEST_KEY: readFileSync(sshd.clientKeyFile, 'utf8') } });
}, 180_000);
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  await installHost?.close();
  await sshd?.close();
}, 120_000);

const provider = (name: string, env: Record<string, string>, extra = '') =>
  `name: ${name}\n${extra}agent:\n  docker:\n    env:\n${Object.entries(env).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`).join('\n')}\n`;
const sshEnv = (over: Record<string, string> = {}) => ({
  DOCKER_HOST: sshd.url, DOCKER_SSH_KEY: 'env:SSH_TEST_KEY', DOCKER_SSH_KNOWN_HOSTS: sshd.knownHostsLine, DOCKER_SSH_SOCKET: engineSocket(), ...over,
});

/** Polls a workspace until `done` holds. */
async function until(id: string, done: (ws: any) => boolean, ms = 60_000): Promise<any> {
  let ws: any;
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    ws = (await cp.call('GET', `/v1/workspaces/${id}`)).body;
    if (done(ws)) return ws;
  }
  return ws;
}
const keyLines = () => readFileSync(sshd.clientKeyFile, 'utf8').split('\n').filter((l) => l.length > 20);
async function expectNoKeyAnywhere(id: string, providerName: string) {
  const texts = [
    JSON.stringify((await cp.call('GET', `/v1/workspaces/${id}`)).body),
    JSON.stringify((await cp.call('GET', `/v1/workspaces/${id}/events?limit=500`)).body),
    JSON.stringify((await cp.call('GET', `/v1/providers/${providerName}`)).body),
    logs.join('\n'),
  ];
  for (const t of texts) {
    expect(t).not.toContain('PRIVATE KEY');
    for (const l of keyLines()) expect(t).not.toContain(l);
  }
}

describe('a Docker engine behind ssh://', () => {
  it('builds a Dockerfile workspace from git over SSH (context streamed through the channel), execs, reads logs', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('over-ssh', sshEnv()) })).status).toBe(201);
    const url = git.repo('ssh-build', {
      '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' }, postCreateCommand: 'cat /flavour > .made' }),
      '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built-over-ssh > /flavour\n`,
    });
    const r = await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'over-ssh', name: 'built', source: { git: { url } } } });
    const ws = r.body.status === 'Running' ? r.body : await until(r.body.id, (w) => w.status !== 'Creating' && w.status !== 'Pending', 120_000);
    expect(ws.statusReason).toBeUndefined();
    expect(ws.status).toBe('Running');
    const exec = await cp.call('POST', `/v1/workspaces/${ws.id}/exec`, { json: { command: ['cat', '.made'] } });
    expect(exec.body).toMatchObject({ exitCode: 0, stdout: 'built-over-ssh\n' });
    expect((await cp.call('GET', `/v1/workspaces/${ws.id}/logs`)).body).toContain('Container started');
    expect((await objectsOf(docker, ws.id)).containers).toHaveLength(1);
    await expectNoKeyAnywhere(ws.id, 'over-ssh');
    expect((await cp.call('DELETE', `/v1/workspaces/${ws.id}?wait=25`)).status).toBe(204);
  }, 180_000);

  it('a wrong host key fails closed: Error naming the fingerprint seen, nothing created, no login', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('ssh-wrong-key', sshEnv({ DOCKER_SSH_KNOWN_HOSTS: sshd.wrongKnownHostsLine })) })).status).toBe(201);
    const logins = sshd.logins();
    const r = await cp.call('POST', '/v1/workspaces?wait=10', { json: { provider: 'ssh-wrong-key', name: 'wrong-key', source: { image: IMAGE } } });
    const ws = await until(r.body.id, (w) => w.status === 'Error');
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toContain(`SSH host key verification failed for 127.0.0.1:${sshd.port}`);
    expect(ws.statusReason).toContain(sshd.hostFingerprint);
    expect(ws.statusReason).toMatch(/does not match the key DOCKER_SSH_KNOWN_HOSTS lists/);
    expect(sshd.logins()).toBe(logins);
    expect(await objectsOf(docker, ws.id)).toEqual({ containers: [], volumes: [] });
    await expectNoKeyAnywhere(ws.id, 'ssh-wrong-key');
  }, 90_000);

  it('an unknown host (no known_hosts) fails closed too, with the line an admin would add once checked', async () => {
    const env = sshEnv();
    delete (env as Record<string, string>).DOCKER_SSH_KNOWN_HOSTS;
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('ssh-unknown-host', env) })).status).toBe(201);
    const r = await cp.call('POST', '/v1/workspaces?wait=10', { json: { provider: 'ssh-unknown-host', name: 'unknown-host', source: { image: IMAGE } } });
    const ws = await until(r.body.id, (w) => w.status === 'Error');
    expect(ws.statusReason).toContain(sshd.hostFingerprint);
    expect(ws.statusReason).toContain('is not in DOCKER_SSH_KNOWN_HOSTS');
    expect(ws.statusReason).toContain(sshd.knownHostsLine);
    expect(await objectsOf(docker, ws.id)).toEqual({ containers: [], volumes: [] });
  }, 90_000);

  it('a private key written into the provider is refused when it is added, and not echoed', async () => {
    const r = await cp.call('POST', '/v1/providers', { yaml: provider('ssh-inline-key', sshEnv({ DOCKER_SSH_KEY: readFileSync(sshd.clientKeyFile, 'utf8') })) });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('agent.docker.env.DOCKER_SSH_KEY');
    for (const l of keyLines()) expect(JSON.stringify(r.body)).not.toContain(l);
  });

  it('install: false on a host without an engine: Error saying so', async () => {
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('ssh-no-engine', sshEnv({ DOCKER_SSH_SOCKET: '/tmp/workbay-no-engine-here.sock' }), 'install: false\n') })).status).toBe(201);
    const r = await cp.call('POST', '/v1/workspaces?wait=10', { json: { provider: 'ssh-no-engine', name: 'no-engine', source: { image: IMAGE } } });
    const ws = await until(r.body.id, (w) => w.status === 'Error');
    expect(ws.status).toBe('Error');
    expect(ws.statusReason).toMatch(/no container engine \(Docker or Podman\) answers at \/tmp\/workbay-no-engine-here\.sock on root@127\.0\.0\.1:\d+, and the provider has install: false/);
  }, 90_000);

  it('install: true installs the engine once (progress events, verified), and a second workspace does not install again', async () => {
    const env = sshEnv({ DOCKER_SSH_SOCKET: installHost.socket, DOCKER_INSTALL_COMMAND: installHost.command, DOCKER_INSTALL_TIMEOUT: '3m' });
    expect((await cp.call('POST', '/v1/providers', { yaml: provider('ssh-install', env, 'install: true\n') })).status).toBe(201);
    expect(installHost.runs()).toBe(0);
    const first = await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'ssh-install', name: 'first', source: { image: IMAGE } } });
    const a = await until(first.body.id, (w) => w.status === 'Running' || w.status === 'Error', 180_000);
    expect(a.statusReason).toBeUndefined();
    expect(a.status).toBe('Running');
    expect(installHost.runs()).toBe(1);
    const events = (await cp.call('GET', `/v1/workspaces/${a.id}/events?limit=500`)).body;
    const messages = JSON.stringify(events);
    expect(messages).toContain('running the install command');
    expect(messages).toContain('install: engine ready');
    expect(messages).toContain('engine installed and reachable');
    const installed = new Docker({ socketPath: installHost.socket });
    expect((await objectsOf(installed, a.id)).containers).toHaveLength(1);
    expect((await objectsOf(docker, a.id)).containers).toHaveLength(0);

    const second = await cp.call('POST', '/v1/workspaces?wait=25', { json: { provider: 'ssh-install', name: 'second', source: { image: IMAGE } } });
    const b = await until(second.body.id, (w) => w.status === 'Running' || w.status === 'Error', 120_000);
    expect(b.status).toBe('Running');
    expect(installHost.runs()).toBe(1);
    expect(JSON.stringify((await cp.call('GET', `/v1/workspaces/${b.id}/events?limit=500`)).body)).not.toContain('install command');
    for (const id of [a.id, b.id]) expect((await cp.call('DELETE', `/v1/workspaces/${id}?wait=25`)).status).toBe(204);
  }, 300_000);
});
