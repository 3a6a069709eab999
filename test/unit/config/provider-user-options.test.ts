import { describe, expect, it } from 'vitest';
import { loadProvider, parseProviderYaml } from '../../../lib/config';
import { allowedWorkspaceOptions, isUserSettable, workspaceOptionErrors } from '../../../lib/config/provider-user-options';
import { DEVPOD_DOCKER_PROVIDER } from './fixtures';
import { configErrorOf, fieldError } from './helpers';

const PROVIDER = `name: shared
options:
  DOCKER_HOST:
    global: true
    userSettable: true
  ENGINE:
    default: unix:///var/run/docker.sock
  IMAGE_TAG:
    userSettable: true
    default: latest
  TIMEOUT:
    userSettable: "true"
    type: duration
agent:
  containerInactivityTimeout: \${TIMEOUT}
  docker:
    env:
      DOCKER_HOST: \${ENGINE}
      TAG: \${IMAGE_TAG}
      GLOBAL_HOST: \${DOCKER_HOST}
`;

describe('the userSettable marker', () => {
  const def = parseProviderYaml(PROVIDER);

  it('is read as a boolean (also from "true"), and global wins with a warning', () => {
    expect(def.options.IMAGE_TAG!.userSettable).toBe(true);
    expect(def.options.TIMEOUT!.userSettable).toBe(true);
    expect(isUserSettable(def.options.IMAGE_TAG)).toBe(true);
    expect(isUserSettable(def.options.DOCKER_HOST)).toBe(false);
    expect(isUserSettable(def.options.ENGINE)).toBe(false);
    expect(def.warnings.join('\n')).toMatch(/DOCKER_HOST is global.*never set per workspace/);
  });

  it('refuses a value that is not true or false', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\noptions:\n  X:\n    userSettable: sometimes\n'));
    expect(fieldError(err, 'options.X.userSettable').message).toMatch(/true or false/);
  });

  it('DevPod\'s own docker provider lets a workspace set nothing; DOCKER_HOST is global', () => {
    const devpod = parseProviderYaml(DEVPOD_DOCKER_PROVIDER);
    const errors = workspaceOptionErrors(devpod, { DOCKER_HOST: 'tcp://10.0.0.1:2375', DOCKER_PATH: '/bin/x' });
    expect(errors.map((e) => e.field)).toEqual(['options.DOCKER_HOST', 'options.DOCKER_PATH']);
    expect(errors[0]!.message).toMatch(/global/);
    expect(errors[1]!.message).toMatch(/not user-settable/);
    expect(errors[1]!.hint).toMatch(/lets workspaces set no options/);
  });
});

describe('per-workspace option values', () => {
  const def = parseProviderYaml(PROVIDER);

  it('may set a userSettable option, in any case of its name', () => {
    expect(workspaceOptionErrors(def, { IMAGE_TAG: 'v2', timeout: '5m' })).toEqual([]);
  });

  it('names each refused option and the reason, and never quotes the value', () => {
    const errors = workspaceOptionErrors(def, { ENGINE: 'tcp://169.254.169.254:80', DOCKER_HOST: 'tcp://evil:2375', NOPE: 'x' });
    const byField = Object.fromEntries(errors.map((e) => [e.field, e]));
    expect(Object.keys(byField).sort()).toEqual(['options.DOCKER_HOST', 'options.ENGINE', 'options.NOPE']);
    expect(byField['options.ENGINE']!.message).toMatch(/ENGINE is not user-settable/);
    expect(byField['options.ENGINE']!.hint).toMatch(/IMAGE_TAG, TIMEOUT/);
    expect(byField['options.DOCKER_HOST']!.message).toMatch(/global/);
    expect(byField['options.NOPE']!.message).toMatch(/has no option NOPE/);
    expect(JSON.stringify(errors)).not.toMatch(/169\.254|evil/);
  });

  it('gives admins the same rule with a hint on how to allow it', () => {
    const [e] = workspaceOptionErrors(def, { ENGINE: 'tcp://x:1' }, 'admin');
    expect(e!.message).toMatch(/not user-settable/);
    expect(e!.hint).toMatch(/userSettable: true|PUT \/v1\/providers/);
  });

  it.each(['file:/etc/shadow', 'env:AWS_SECRET_ACCESS_KEY', 'aws-sm:prod/db', ' FILE:/x'])('refuses the reference syntax %s even for a userSettable option', (value) => {
    const [e] = workspaceOptionErrors(def, { IMAGE_TAG: value });
    expect(e!.field).toBe('options.IMAGE_TAG');
    expect(e!.message).toMatch(/never as a file:, env: or aws-sm: reference/);
  });

  it('drops what a workspace may no longer set when a stored workspace is resolved again', () => {
    expect(allowedWorkspaceOptions(def, { IMAGE_TAG: 'v3', ENGINE: 'tcp://x:1', DOCKER_HOST: 'tcp://y:2' })).toEqual({ IMAGE_TAG: 'v3' });
  });
});

describe('options that feed a control-plane file read are never userSettable', () => {
  it.each([
    ['nested config', 'agent:\n  driver: kubernetes\n  kubernetes:\n    config: ${X}\n', 'agent.kubernetes.config'],
    ['DevPod C spelling', 'agent:\n  driver: kubernetes\n  kubernetes:\n    kubernetesConfig: ${X}\n', 'agent.kubernetes.config'],
    ['flat form', 'driver: kubernetes\nconfig: ${X}\n', 'agent.kubernetes.config'],
    ['pod template', 'driver: kubernetes\npodManifestTemplate: ${X}\n', 'agent.kubernetes.podManifestTemplate'],
    ['TLS key', 'agent:\n  docker:\n    env:\n      DOCKER_TLS_KEY: ${X}\n', 'agent.docker.env.DOCKER_TLS_KEY'],
    ['cert path', 'agent:\n  docker:\n    env:\n      DOCKER_CERT_PATH: "${X}"\n', 'agent.docker.env.DOCKER_CERT_PATH'],
  ])('%s: refused when the provider is added', (_what, agent, sink) => {
    const yaml = `name: p\noptions:\n  X:\n    userSettable: true\n    default: file:/etc/workbay/x\n${agent}`;
    const err = configErrorOf(() => loadProvider(yaml));
    const e = fieldError(err, 'options.X.userSettable');
    expect(e.message).toContain(sink);
    expect(e.line).toBeGreaterThan(0);
  });

  it('the same options without the marker load as before', () => {
    const r = loadProvider('name: p\noptions:\n  X:\n    default: /etc/kube/config\ndriver: kubernetes\nconfig: ${X}\n');
    expect(r.agent.kubernetes.config).toBe('/etc/kube/config');
  });

  it('DOCKER_HOST may be marked userSettable: the admin declares that users pick the engine', () => {
    const r = loadProvider('name: p\noptions:\n  HOST:\n    userSettable: true\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${HOST}\n', { options: { HOST: 'tcp://127.0.0.1:2375' } });
    expect(r.agent.docker.env.DOCKER_HOST).toBe('tcp://127.0.0.1:2375');
  });
});

describe('errors about agent fields fed by a password option', () => {
  it('name the field and the option, never the value', () => {
    const yaml = 'name: p\noptions:\n  SIZE:\n    password: true\ndriver: kubernetes\npersistentVolumeSize: ${SIZE}\n';
    const err = configErrorOf(() => loadProvider(yaml, { options: { SIZE: 'hunter2-is-no-quantity' } }));
    const e = fieldError(err, 'agent.kubernetes.persistentVolumeSize');
    expect(e.message).toMatch(/value of option SIZE \(not shown/);
    expect(JSON.stringify(err.errors) + err.message).not.toContain('hunter2');
  });
});
