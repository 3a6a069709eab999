import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../support/control-plane';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { startGitServer, type GitServer } from '../support/git-server';
import { runCli } from '../support/processes';

const IMAGE = 'workbay-test/busybox:local';
const hooks = { containerEnv: { GREETING: 'hello' }, postCreateCommand: 'echo created >> .pc.log', postStartCommand: 'echo started >> .ps.log' };
let cp: TestControlPlane;
let git: GitServer;
let env: Record<string, string>;
const docker = testDocker();
const cli = (...args: string[]) => runCli(args, env);

beforeAll(async () => {
  cp = await startControlPlane();
  git = await startGitServer();
  await cp.call('POST', '/v1/providers', { yaml: 'name: local-docker\n' });
  env = { WORKBAY_URL: cp.url, WORKBAY_TOKEN: await cp.tokenFor('dev') };
});
afterAll(async () => {
  await cp?.dispose();
  await git?.close();
});

describe.each([
  ['a Dockerfile-based config', 'cli-dockerfile', () => git.repo('cli-dockerfile', {
    '.devcontainer/devcontainer.json': JSON.stringify({ build: { dockerfile: 'Dockerfile' }, ...hooks }),
    '.devcontainer/Dockerfile': `FROM ${IMAGE}\nRUN echo built > /flavour\n`,
  }), 'cat /flavour', 'built\n'],
  ['a repo with .devcontainer/devcontainer.json', 'cli-git', () => git.repo('cli-git', {
    '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, ...hooks }),
    'README.md': 'from git\n',
  }), 'cat README.md', 'from git\n'],
] as const)('workbay up of a git source with %s', (_what, name, makeRepo, check, expected) => {
  let id = '';

  it('comes up with progress, env and postCreate once', async () => {
    const r = await cli('up', `${makeRepo()}#main`, '--provider', 'local-docker', '--name', name);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[source\] cloning git:\/\//);
    expect(r.stdout).toMatch(/\[lifecycle\] running postCreateCommand/);
    id = /\((\w{26})\) is running/.exec(r.stdout)![1]!;
    expect((await cli('exec', name, '--', 'sh', '-c', `echo $GREETING; ${check}; cat .pc.log`)).stdout).toBe(`hello\n${expected}created\n`);
  }, 120_000);

  it('stop, start (postStart again, postCreate not) and delete', async () => {
    expect((await cli('stop', name)).stdout).toBe(`workspace ${name} is Stopped\n`);
    expect((await cli('start', name)).stdout).toBe(`workspace ${name} is Running\n`);
    expect((await cli('exec', name, '--', 'sh', '-c', 'cat .ps.log .pc.log')).stdout).toBe('started\nstarted\ncreated\n');
    expect((await cli('delete', name)).code).toBe(0);
    expect(await objectsOf(docker, id)).toEqual({ containers: [], volumes: [] });
  }, 120_000);
});
