import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { ROOT } from '../support/processes';

const BUSYBOX = 'workbay-test/busybox:local';
const SSHD_IMAGE = 'workbay-test/sshd:local';
const CLI = join(ROOT, 'cli/workbay.mjs');

let cp: TestControlPlane;
let dir: string;
/** The user's machine: a workbay URL and token, and no DOCKER_HOST or KUBECONFIG. */
let env: Record<string, string>;
let otherId: string;

interface Ran { code: number | null; stdout: string; stderr: string }

/** Runs a command as the user would, with `input` on its stdin (a pipe, not a terminal). */
function sh(cmd: string, args: string[], o: { input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    if (o.input !== undefined) child.stdin.end(o.input);
  });
}
const workbay = (args: string[], o?: { input?: string; timeoutMs?: number }) => sh(process.execPath, [CLI, ...args], o);

async function up(name: string, image: string, owner: string, devcontainer?: Record<string, unknown>): Promise<string> {
  const token = owner === 'dev' ? env.WORKBAY_TOKEN : await cp.tokenFor(owner);
  const json = { provider: 'local-docker', name, source: { image }, ...(devcontainer ? { devcontainer: JSON.stringify({ image, ...devcontainer }) } : {}) };
  const r = await cp.call('POST', '/v1/workspaces?wait=25', { token, json });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as string;
}

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as { port: number };
    s.close(() => resolve(port));
  });
});

beforeAll(async () => {
  execFileSync('bash', [join(ROOT, 'test/support/build-sshd-image.sh')], { env: { ...process.env, DOCKER_HOST: inject('dockerHost') }, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  cp = await startControlPlane();
  dir = mkdtempSync(join(tmpdir(), 'workbay-attach-'));
  expect((await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\ncontainerInactivityTimeout: 600\n' })).status).toBe(201);
  env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, WORKBAY_URL: cp.url, WORKBAY_TOKEN: await cp.tokenFor('dev'), WORKBAY_SSH_DIR: join(dir, 'ssh'), TERM: 'xterm' };
  await up('box', BUSYBOX, 'dev');
  await up('sshbox', SSHD_IMAGE, 'dev', { remoteUser: 'vscode' });
  otherId = await up('theirs', BUSYBOX, 'someone-else');
}, 240_000);
afterAll(async () => {
  await cp?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('workbay ssh through the control plane (no engine credentials here)', () => {
  it('opens an interactive shell in a pseudo-terminal: typed commands show their output', async () => {
    expect(env.DOCKER_HOST).toBeUndefined();
    expect(env.KUBECONFIG).toBeUndefined();
    // `script` gives the CLI a real pseudo-terminal; the keystrokes arrive slowly, as typed.
    const child = spawn('script', ['-qefc', `${process.execPath} ${CLI} ssh box`, '/dev/null'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain(text);
    };
    await new Promise((r) => setTimeout(r, 1500));
    child.stdin.write('echo "wb-$((40+2))"; tty\r');
    await until('wb-42');
    await until('/dev/pts/');
    child.stdin.write('exit 5\r');
    expect(await exited).toBe(5);
  });

  it('runs a piped script without a TTY, and passes the exit code through', async () => {
    expect(await workbay(['ssh', 'box', '--', 'sh'], { input: 'echo hi\n' })).toMatchObject({ code: 0, stdout: 'hi\n' });
    const r = await workbay(['ssh', 'box', '--', 'sh', '-c', 'echo to-stderr >&2; exit 9'], { input: '' });
    expect(r).toMatchObject({ code: 9, stdout: '', stderr: 'to-stderr\n' });
  });

  it("another owner's workspace is not found (404)", async () => {
    const r = await workbay(['ssh', otherId, '--', 'true'], { input: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: workspace [0-9A-Z]{26} does not exist \(workspace.notFound\)$/m);
    expect(r.stderr).not.toContain(env.WORKBAY_TOKEN!);
  });
});

describe('OpenSSH through workbay ssh --stdio', () => {
  it('ssh -F <workbay ssh-config> workbay-sshbox runs commands', async () => {
    const cfg = await workbay(['ssh-config', 'sshbox']);
    expect(cfg.code, cfg.stderr).toBe(0);
    expect(cfg.stdout).toMatch(/^Host workbay-sshbox$/m);
    expect(cfg.stdout).toMatch(/^ {2}ProxyCommand .* ssh --stdio [0-9A-Z]{26}$/m);
    expect(cfg.stdout).not.toContain(env.WORKBAY_TOKEN!);
    const file = join(dir, 'ssh_config');
    writeFileSync(file, cfg.stdout);
    const ok = await sh('ssh', ['-F', file, 'workbay-sshbox', 'true'], { input: '' });
    expect(ok, ok.stderr).toMatchObject({ code: 0 });
    expect(cfg.stdout).toMatch(/^ {2}User vscode$/m);
    const echo = await sh('ssh', ['-F', file, 'workbay-sshbox', 'echo', 'over-ssh', '$((1+1))', '$(id -un)'], { input: '' });
    expect(echo).toMatchObject({ code: 0, stdout: 'over-ssh 2 vscode\n' });
    expect((await sh('ssh', ['-F', file, 'workbay-sshbox', 'exit 4'], { input: '' })).code).toBe(4);
  });

  it('an image without OpenSSH says so', async () => {
    const cfg = await workbay(['ssh-config', 'box']);
    const file = join(dir, 'ssh_config_box');
    writeFileSync(file, cfg.stdout);
    const r = await sh('ssh', ['-F', file, 'workbay-box', 'true'], { input: '' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('has no OpenSSH server');
  });
});

describe('workbay port-forward', () => {
  it('reaches an HTTP server started inside the workspace', async () => {
    const started = await workbay(['ssh', 'box', '--', 'sh', '-c', 'mkdir -p /tmp/www && echo from-the-workspace > /tmp/www/index.html && httpd -p 127.0.0.1:8080 -h /tmp/www'], { input: '' });
    expect(started.code, started.stderr).toBe(0);
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'port-forward', 'box', `${port}:8080`], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    try {
      for (let i = 0; i < 200 && !out.includes('forwarding'); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toBe(`forwarding 127.0.0.1:${port} -> box:8080\n`);
      for (const _ of [1, 2]) {
        const res = await fetch(`http://127.0.0.1:${port}/index.html`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('from-the-workspace\n');
      }
    } finally {
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    }
  });
});
