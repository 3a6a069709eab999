import { describe, expect, it } from 'vitest';
import { hostRequirementsToResources, parseDevcontainer } from '../../../lib/config';
import { configErrorOf, fieldError } from './helpers';

const image = (extra = '') => `{ "image": "mcr.microsoft.com/devcontainers/base:bookworm"${extra} }`;

describe('parseDevcontainer: JSONC', () => {
  it('accepts comments and trailing commas', () => {
    const cfg = parseDevcontainer(`// a comment
{
  /* block */ "name": "demo",
  "image": "debian:bookworm", // trailing comment
  "containerEnv": { "A": "1", },
}`);
    expect(cfg).toMatchObject({ name: 'demo', image: 'debian:bookworm', containerEnv: { A: '1' }, overrideCommand: true });
    expect(cfg.warnings).toEqual([]);
  });

  it('reports syntax errors with line and column', () => {
    const err = configErrorOf(() => parseDevcontainer('{\n  "image": "x"\n  "name": "y"\n}', '.devcontainer/devcontainer.json'));
    expect(err.errors[0]).toMatchObject({ field: 'document', line: 3, column: 3 });
    expect(err.errors[0]!.message).toMatch(/CommaExpected/);
    expect(err.message).toMatch(/^invalid \.devcontainer\/devcontainer\.json/);
  });

  it('refuses empty files and non-objects', () => {
    configErrorOf(() => parseDevcontainer(''));
    configErrorOf(() => parseDevcontainer('["image"]'));
  });
});

describe('image or build', () => {
  it('reads a Dockerfile build with defaults', () => {
    const cfg = parseDevcontainer('{"build": {"dockerfile": "Dockerfile", "args": {"V": "1"}, "target": "dev"}}');
    expect(cfg.image).toBeUndefined();
    expect(cfg.build).toEqual({ dockerfile: 'Dockerfile', context: '.', args: { V: '1' }, target: 'dev' });
  });
  it('accepts the legacy top-level dockerFile and context', () => {
    expect(parseDevcontainer('{"dockerFile": "../Dockerfile", "context": ".."}').build).toEqual({
      dockerfile: '../Dockerfile', context: '..', args: {},
    });
  });
  it('needs exactly one of image and build.dockerfile', () => {
    expect(fieldError(configErrorOf(() => parseDevcontainer('{"name": "x"}')), 'image').message).toBe('set image or build.dockerfile');
    const both = configErrorOf(() => parseDevcontainer('{"image": "a", "build": {"dockerfile": "D"}}'));
    expect(fieldError(both, 'image').message).toMatch(/not both/);
  });
  it('refuses build args that are not strings, with the line', () => {
    const e = fieldError(configErrorOf(() => parseDevcontainer('{"build": {"dockerfile": "D",\n "args": {"N": 1}}}')), 'build.args.N');
    expect(e.line).toBe(2);
  });
});

describe('lifecycle commands (reference CLI semantics)', () => {
  it('runs a string through a shell', () => {
    expect(parseDevcontainer(image(', "postCreateCommand": "npm ci && npm test"')).postCreateCommand).toEqual([
      { shell: 'npm ci && npm test' },
    ]);
  });
  it('runs an array as argv without a shell', () => {
    expect(parseDevcontainer(image(', "onCreateCommand": ["npm", "ci"]')).onCreateCommand).toEqual([{ argv: ['npm', 'ci'] }]);
  });
  it('runs an object as named parallel commands', () => {
    const cfg = parseDevcontainer(image(', "postStartCommand": {"server": "npm start", "watch": ["npm", "run", "watch"], "none": ""}'));
    expect(cfg.postStartCommand).toEqual([
      { name: 'server', shell: 'npm start' },
      { name: 'watch', argv: ['npm', 'run', 'watch'] },
    ]);
  });
  it('reads every hook and refuses other shapes', () => {
    const cfg = parseDevcontainer(image(', "updateContentCommand": "u", "postAttachCommand": "a"'));
    expect(cfg.updateContentCommand).toEqual([{ shell: 'u' }]);
    expect(cfg.postAttachCommand).toEqual([{ shell: 'a' }]);
    expect(cfg.onCreateCommand).toBeUndefined();
    configErrorOf(() => parseDevcontainer(image(', "postCreateCommand": 5')));
    fieldError(configErrorOf(() => parseDevcontainer(image(', "postCreateCommand": {"a": [1]}'))), 'postCreateCommand.a');
  });
});

describe('runArgs', () => {
  it('reads the supported subset in both forms', () => {
    const cfg = parseDevcontainer(image(`, "runArgs": ["--network=host", "--cap-add", "SYS_PTRACE", "--cap-add=NET_ADMIN",
      "--security-opt", "seccomp=unconfined", "--privileged", "--label", "team=a", "--label=solo", "-e", "A=1", "--env=B=2", "-e=C=3"]`));
    expect(cfg.runArgs).toMatchObject({
      network: 'host', capAdd: ['SYS_PTRACE', 'NET_ADMIN'], securityOpt: ['seccomp=unconfined'], privileged: true,
      labels: { team: 'a', solo: '' }, env: { A: '1', B: '2', C: '3' },
    });
    // Where each security-relevant setting was written, for policy refusals.
    expect(cfg.runArgs.origins?.map((o) => `${o.field} ${o.flag}`)).toEqual([
      'runArgs[0] --network', 'runArgs[1] --cap-add', 'runArgs[3] --cap-add', 'runArgs[4] --security-opt', 'runArgs[6] --privileged',
    ]);
  });
  it('merges the top-level privileged, capAdd and securityOpt', () => {
    const cfg = parseDevcontainer(image(', "privileged": true, "capAdd": ["SYS_ADMIN"], "securityOpt": ["apparmor=unconfined"]'));
    expect(cfg.runArgs).toMatchObject({ privileged: true, capAdd: ['SYS_ADMIN'], securityOpt: ['apparmor=unconfined'] });
  });
  it('refuses anything else, naming the argument and what is supported', () => {
    const err = configErrorOf(() => parseDevcontainer(image(', "runArgs": ["--cap-add=X", "--memory", "4g", "--ulimit=nofile=1"]')));
    const e = fieldError(err, 'runArgs[1]');
    expect(e.message).toBe('"--memory" is not supported in runArgs');
    expect(e.hint).toMatch(/--network, --cap-add, --security-opt, --privileged, --label, -e, --env, --mount, -v/);
    fieldError(err, 'runArgs[3]');
    expect(err.errors.map((x) => x.field)).not.toContain('runArgs[2]');
  });
  it('refuses -e without a value and a flag missing its value', () => {
    expect(fieldError(configErrorOf(() => parseDevcontainer(image(', "runArgs": ["-e", "HOME"]'))), 'runArgs[0]').message).toMatch(/no host environment/);
    expect(fieldError(configErrorOf(() => parseDevcontainer(image(', "runArgs": ["--network"]'))), 'runArgs[0]').message).toMatch(/needs a value/);
  });
});

describe('rejected properties', () => {
  it('refuses Docker Compose keys without dockerComposeFile (compose configs: test/unit/compose/devcontainer.test.ts)', () => {
    const err = configErrorOf(() => parseDevcontainer(image(', "service": "app"')));
    expect(fieldError(err, 'service').message).toBe('service needs dockerComposeFile');
  });
  it('refuses initializeCommand, which would run on the host', () => {
    const e = fieldError(configErrorOf(() => parseDevcontainer(image(',\n"initializeCommand": "make"'))), 'initializeCommand');
    expect(e.message).toMatch(/runs on the host/);
    expect(e.line).toBe(2);
  });
});

describe('other properties', () => {
  it('reads env, mounts, workspace, users and ports', () => {
    const cfg = parseDevcontainer(`{
      "image": "x",
      "remoteEnv": { "PATH": "\${containerEnv:PATH}:/opt/bin", "UNSET": null },
      "mounts": ["type=volume,source=cache,target=/cache", "source=/h,target=/c,type=bind,readonly", {"type": "tmpfs", "target": "/tmp/t"}],
      "workspaceFolder": "/workspaces/app",
      "workspaceMount": "type=volume,source=ws,target=/workspaces/app",
      "overrideCommand": false,
      "containerUser": "root", "remoteUser": "vscode",
      "forwardPorts": [3000, "db:5432"],
      "appPort": 8080
    }`);
    expect(cfg.remoteEnv).toEqual({ PATH: '${containerEnv:PATH}:/opt/bin', UNSET: null });
    expect(cfg.mounts).toEqual([
      { type: 'volume', source: 'cache', target: '/cache' },
      { type: 'bind', source: '/h', target: '/c', readonly: true },
      { type: 'tmpfs', target: '/tmp/t' },
    ]);
    expect(cfg.workspaceMount).toEqual({ type: 'volume', source: 'ws', target: '/workspaces/app' });
    expect(cfg).toMatchObject({ workspaceFolder: '/workspaces/app', overrideCommand: false, containerUser: 'root', remoteUser: 'vscode' });
    expect(cfg.forwardPorts).toEqual([3000, 'db:5432']);
    expect(cfg.appPort).toEqual([8080]);
  });
  it('refuses bad mounts and ports', () => {
    const err = configErrorOf(() => parseDevcontainer(image(', "mounts": ["type=nfs,target=/x", "source=a,target=rel", {"type": "bind", "target": "/t"}], "forwardPorts": [70000, "x"]')));
    expect(fieldError(err, 'mounts[0]').message).toMatch(/bind, volume or tmpfs/);
    expect(fieldError(err, 'mounts[1]').message).toMatch(/absolute/);
    expect(fieldError(err, 'mounts[2]').message).toMatch(/source/);
    fieldError(err, 'forwardPorts[0]');
    fieldError(err, 'forwardPorts[1]');
  });
  it('refuses containerEnv values that are not strings', () => {
    fieldError(configErrorOf(() => parseDevcontainer(image(', "containerEnv": {"N": 1}'))), 'containerEnv.N');
  });
  it('reads hostRequirements and maps them to Kubernetes resources', () => {
    const cfg = parseDevcontainer(image(', "hostRequirements": {"cpus": 4, "memory": "8gb", "storage": "32gb", "gpu": "optional"}'));
    expect(cfg.hostRequirements).toEqual({ cpus: 4, memory: '8gb', storage: '32gb' });
    expect(hostRequirementsToResources(cfg.hostRequirements!)).toEqual({ cpu: '4', memory: '8Gi', ephemeralStorage: '32Gi' });
    expect(cfg.warnings).toContain('hostRequirements.gpu is not supported and is ignored');
    fieldError(configErrorOf(() => parseDevcontainer(image(', "hostRequirements": {"memory": "8 GiB"}'))), 'hostRequirements.memory');
  });
  it('keeps features and customizations for the driver to install', () => {
    const cfg = parseDevcontainer(image(', "features": {"ghcr.io/devcontainers/features/node:1": {}}, "customizations": {"vscode": {"extensions": ["a.b"]}}'));
    expect(cfg.features).toEqual({ 'ghcr.io/devcontainers/features/node:1': {} });
    expect(cfg.customizations).toEqual({ vscode: { extensions: ['a.b'] } });
    expect(cfg.warnings).toEqual([]);
  });
  it('treats keys named like Object.prototype members as unknown', () => {
    expect(parseDevcontainer(image(', "constructor": 1, "toString": 2')).warnings).toEqual([
      'unknown key "constructor" ignored',
      'unknown key "toString" ignored',
    ]);
  });

  it('warns about unknown and ignored keys', () => {
    const cfg = parseDevcontainer(image(', "$schema": "s", "shutdownAction": "none", "colour": "blue", "build": {"args": {}}'));
    expect(cfg.warnings).toEqual([
      '"shutdownAction" is not supported and is ignored',
      'unknown key "colour" ignored',
      'build is ignored: it has no dockerfile and image is set',
    ]);
  });
});
