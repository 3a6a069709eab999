import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { runCli } from '../support/processes';
import { pollUntil } from '../support/wait';
import { startGitServer, type GitServer } from '../support/git-server';
import tar from 'tar-stream';

/**
 * `workbay up ./folder` with the real CLI against an embedded control plane and the test engine:
 * the folder (a Dockerfile-based devcontainer.json) is uploaded without what .gitignore excludes and
 * without .git, built from, and reachable in the workspace; the cap is checked before anything is sent.
 */
const IMAGE = 'workbay-test/busybox:local';
const CAP = 1024 * 1024;
let cp: TestControlPlane;
let env: Record<string, string>;
let root = '';
let git: GitServer;
const docker = testDocker();
const cli = (...args: string[]) => runCli(args, env);
const uploads = () => readdirSync(join(cp.dataDir, 'uploads'));

/** A project folder with a Dockerfile config, a tracked file, an ignored file and a .git folder. */
function makeFolder(name: string, readme = 'from the folder\n'): string {
  const dir = join(root, name);
  mkdirSync(join(dir, '.devcontainer'), { recursive: true });
  mkdirSync(join(dir, '.git'), { recursive: true });
  mkdirSync(join(dir, 'build'), { recursive: true });
  writeFileSync(join(dir, '.devcontainer/devcontainer.json'), JSON.stringify({
    build: { dockerfile: 'Dockerfile' }, containerEnv: { FOLDER: '${localWorkspaceFolderBasename}' },
  }));
  writeFileSync(join(dir, '.devcontainer/Dockerfile'), `FROM ${IMAGE}\nRUN echo built > /flavour\n`);
  writeFileSync(join(dir, 'README.md'), readme);
  writeFileSync(join(dir, '.gitignore'), 'secret.env\nbuild/\n');
  writeFileSync(join(dir, 'secret.env'), 'TOKEN=do-not-upload\n');
  writeFileSync(join(dir, 'build/out.bin'), 'output\n');
  writeFileSync(join(dir, '.git/config'), '[remote "origin"]\n\turl = https://user:secret@example.com/x.git\n');
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'workbay-cli-upload-'));
  cp = await startControlPlane({ env: { WORKBAY_UPLOAD_MAX: '1MiB' } });
  await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: await cp.tokenFor('dev') };
  git = await startGitServer();
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('workbay up ./folder', () => {
  let dir = '';
  let id = '';

  it('uploads the folder, builds its Dockerfile and reaches Running with the files inside', async () => {
    dir = makeFolder('my-project');
    const r = await cli('up', dir, '--provider', 'local-docker', '--name', 'folder-ws');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[upload\] sending .*my-project: \d+ entries, .* \(3 excluded by \.gitignore or \.git\)/);
    expect(r.stdout).toMatch(/\[source\] placing the uploaded folder/);
    expect(r.stdout).toMatch(/\[build\] building Dockerfile/);
    id = /\((\w{26})\) is running/.exec(r.stdout)![1]!;
    const files = await cli('exec', 'folder-ws', '--', 'sh', '-c', 'cat README.md /flavour; echo $FOLDER; ls -A');
    expect(files.stdout).toBe('from the folder\nbuilt\nmy-project\n.devcontainer\n.gitignore\nREADME.md\n');
  }, 180_000);

  it('up of the same name with the same content starts it; with changed content it is refused', async () => {
    const same = await cli('up', dir, '--provider', 'local-docker', '--name', 'folder-ws');
    expect(same.code).toBe(0);
    expect(same.stdout).toMatch(/is running/);
    writeFileSync(join(dir, 'README.md'), 'changed\n');
    const changed = await cli('up', dir, '--provider', 'local-docker', '--name', 'folder-ws');
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/workspace folder-ws exists with a different source \(folder .*my-project with content sha256 [0-9a-f]{12}, not folder .*my-project with content sha256 [0-9a-f]{12}\)/);
    // Neither attempt left an upload behind: the workspace's own is the only one.
    expect(uploads().filter((f) => f.endsWith('.tar'))).toHaveLength(1);
    expect((await cli('exec', 'folder-ws', '--', 'cat', 'README.md')).stdout).toBe('from the folder\n');
  }, 120_000);

  it('a folder over the cap is refused before anything is sent, and nothing is created', async () => {
    const big = makeFolder('too-big');
    writeFileSync(join(big, 'data.bin'), Buffer.alloc(CAP + 4096, 7));
    const r = await cli('up', big, '--provider', 'local-docker', '--name', 'too-big');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folder's archive is at least 1 MiB \(\d+ bytes\), over the control plane's upload cap of 1 MiB \(1048576 bytes\); nothing was uploaded or created/);
    expect(uploads().filter((f) => f.endsWith('.tar'))).toHaveLength(1);
    expect((await cli('list', '--json')).stdout).not.toMatch(/too-big/);
  }, 60_000);

  it('another owner cannot use the upload of a folder', async () => {
    const tar = uploads().find((f) => f.endsWith('.tar'))!;
    const uploadId = basename(tar, '.tar');
    const mallory = await cp.tokenFor('mallory');
    const r = await cp.call('POST', '/v1/workspaces', { token: mallory, json: { provider: 'local-docker', name: 'stolen', source: { upload: { id: uploadId } } } });
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('upload.notFound');
    expect((await cp.call('GET', '/v1/workspaces', { token: mallory })).body.items).toEqual([]);
  });

  it('delete removes the container, the volume and the upload', async () => {
    expect((await cli('delete', 'folder-ws')).code).toBe(0);
    expect(await objectsOf(docker, id)).toEqual({ containers: [], volumes: [] });
    expect(await pollUntil(async () => uploads(), (files) => files.length === 0, 10_000, 100)).toEqual([]);
  }, 60_000);
});

describe('workbay up ./folder --git', () => {
  it('creates a clean, pushed clone from its remote, and refuses a dirty one naming why', async () => {
    const url = git.repo('clone-me', { '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE }), 'README.md': 'from git\n' });
    const clone = join(root, 'clone-me');
    execFileSync('git', ['clone', '-q', url, clone]);
    const r = await cli('up', clone, '--git', '--provider', 'local-docker', '--name', 'via-git');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[source\] cloning git:\/\/.*clone-me/);
    expect(r.stdout).not.toMatch(/\[upload\]/);
    // A clone, history included (the image has no git to ask it).
    expect((await cli('exec', 'via-git', '--', 'sh', '-c', 'cat README.md; test -d .git && echo has-git')).stdout).toBe('from git\nhas-git\n');
    expect((await cli('delete', 'via-git')).code).toBe(0);
    writeFileSync(join(clone, 'untracked.txt'), 'new\n');
    const dirty = await cli('up', clone, '--git', '--provider', 'local-docker', '--name', 'via-git');
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toMatch(/--git: it has uncommitted or untracked changes.*leave out --git to upload the folder as it is/);
  }, 120_000);
});

describe('workbay uploads', () => {
  it('lists the uploads no workspace uses, shows the limits, and deletes one to make room', async () => {
    const pack = tar.pack();
    pack.entry({ name: 'README.md' }, 'left unused\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const sent = await cp.call('POST', '/v1/uploads', { token: env.WORKBAY_TOKEN, body: Buffer.concat(chunks) as unknown as string, headers: { 'content-type': 'application/x-tar' } });
    expect(sent.status).toBe(201);
    const listed = await cli('uploads', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`^ID +SIZE +ENTRIES +CREATED +EXPIRES\n${sent.body.id} +\\d+(\\.\\d)? KiB +1 +\\S+Z +\\S+Z\n1 unused, `));
    const limits = await cli('uploads', 'limits');
    expect(limits.stdout).toMatch(/largest upload: +1 MiB\nunused uploads at once: 5, 500 MiB in all\nunused uploads expire: +after 3600 s/);
    // Another owner sees none of them and cannot delete this one.
    const other = await runCli(['uploads', 'list'], { ...env, WORKBAY_TOKEN: await cp.tokenFor('mallory') });
    expect(other.stdout).toBe('no unused uploads\n');
    const deleted = await cli('uploads', 'delete', sent.body.id);
    expect(deleted.stdout).toBe(`upload ${sent.body.id} deleted\n`);
    expect((await cli('uploads', 'list')).stdout).toBe('no unused uploads\n');
    expect(uploads().filter((f) => f.endsWith('.tar'))).toEqual([]);
    const usage = await cli('uploads', 'remove');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: workbay uploads list \| limits \| delete ID/);
  }, 60_000);
});
