import { describe, expect, it } from 'vitest';
import { loadProvider, parseProviderYaml } from '../../../lib/config';
import { configErrorOf, fieldError } from './helpers';

describe('driver', () => {
  for (const driver of ['custom', 'lxc']) {
    it(`refuses ${driver}, listing docker and kubernetes`, () => {
      const e = fieldError(configErrorOf(() => parseProviderYaml(`name: p\ndriver: ${driver}\n`)), 'agent.driver');
      expect(e.message).toMatch(/use docker or kubernetes/);
      expect(e.line).toBe(2);
    });
  }
  it('refuses a bad driver that comes from an option', () => {
    const yaml = 'name: p\noptions:\n  DRIVER: {default: docker}\nagent:\n  driver: ${DRIVER}\n';
    expect(loadProvider(yaml).agent.driver).toBe('docker');
    const e = fieldError(configErrorOf(() => loadProvider(yaml, { options: { DRIVER: 'podman' } })), 'agent.driver');
    expect(e.message).toBe('"podman" is not a supported driver; use docker or kubernetes (from ${DRIVER})');
  });
});

describe('provider name', () => {
  it.each([
    ['My-Provider', /not a valid provider name/],
    ['a'.repeat(33), /at most 32 characters/],
    ['-docker', /not a valid provider name/],
  ])('refuses %s', (name, message) => {
    expect(fieldError(configErrorOf(() => parseProviderYaml(`name: "${name}"\n`)), 'name').message).toMatch(message);
  });
  it('accepts 32 characters and a caller-supplied name over a bad one in the file', () => {
    expect(parseProviderYaml(`name: ${'a'.repeat(32)}\n`).name).toHaveLength(32);
    expect(parseProviderYaml('name: Bad_Name\n', { name: 'good' }).name).toBe('good');
  });
  it('checks a caller-supplied name too', () => {
    configErrorOf(() => parseProviderYaml('name: ok\n', { name: 'Not OK' }));
  });
});

describe('warnings', () => {
  const yaml = `name: w
version: "1.0"
colour: blue
options:
  X:
    description: x
    colur: red
agent:
  foo: 1
  inactivityTimeout: 10m
  injectGitCredentials: true
  docker:
    path: docker
    sock: /var/run/docker.sock
  kubernetes:
    namespace: ns
    tolerations: []
`;
  it('report unknown keys everywhere and keep them', () => {
    const def = parseProviderYaml(yaml);
    expect(def.warnings).toEqual(expect.arrayContaining([
      'unknown key "colour" ignored',
      'unknown key "options.X.colur" ignored',
      'unknown key "agent.foo" ignored',
      'unknown key "agent.docker.sock" ignored',
      'unknown key "agent.kubernetes.tolerations" ignored',
      'agent.injectGitCredentials is a DevPod setting workbay does not use; ignored',
      expect.stringMatching(/agent\.inactivityTimeout is DevPod's machine timeout/),
      'agent.kubernetes is set but the driver is docker; its settings are ignored',
      expect.stringMatching(/version "1.0" is not a semantic version/),
    ]));
    expect(def.extra).toEqual({ colour: 'blue' });
    expect(def.agent.foo).toBe(1);
    expect((def.agent.docker as Record<string, unknown>).sock).toBe('/var/run/docker.sock');
  });
  it('treat keys named like Object.prototype members as unknown', () => {
    const def = parseProviderYaml('name: p\nconstructor: 1\nagent:\n  driver: kubernetes\n  kubernetes:\n    toString: x\n');
    expect(def.warnings).toEqual(['unknown key "agent.kubernetes.toString" ignored', 'unknown key "constructor" ignored']);
    configErrorOf(() => parseProviderYaml('name: p\ndriver: kubernetes\npvcAccessMode: constructor\n'));
  });

  it('are empty for a clean file without exec', () => {
    expect(parseProviderYaml('name: clean\nversion: v1.2.3\nagent:\n  driver: docker\n').warnings).toEqual([]);
  });
});

describe('YAML problems', () => {
  it('report the parser line and column without the excerpt', () => {
    const e = fieldError(configErrorOf(() => parseProviderYaml('name: p\nagent: [1\n')), 'document');
    expect(e.line).toBe(3);
    expect(e.message).not.toMatch(/\n/);
  });
  it('refuse duplicate keys', () => {
    const e = fieldError(configErrorOf(() => parseProviderYaml('name: p\nname: q\n')), 'document');
    expect(e).toMatchObject({ line: 2, column: 1 });
  });
  it('refuse alias bombs and unresolved aliases as config errors', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]', 'name: p'].join('\n');
    expect(fieldError(configErrorOf(() => parseProviderYaml(bomb)), 'document').message).toMatch(/alias/);
    configErrorOf(() => parseProviderYaml('name: p\nagent: *nope\n'));
  });
  it('refuse a document that is not a mapping', () => {
    configErrorOf(() => parseProviderYaml('- name: p\n'));
    configErrorOf(() => parseProviderYaml(''));
  });
  it('refuse an empty block scalar followed by a key at the same indent, even when the YAML parses', () => {
    const yaml = 'name: p\nagent:\n  kubernetes:\n    podManifestTemplate: |\n    apiVersion: v1\n';
    const e = fieldError(configErrorOf(() => parseProviderYaml(yaml)), 'agent.kubernetes.podManifestTemplate');
    expect(e.line).toBe(5);
    expect(e.hint).toBe(
      'The content of a block scalar (|, |-, >) must be indented under its key, e.g.\n    podManifestTemplate: |\n      apiVersion: v1',
    );
  });
  it('give a nested unindented block scalar its path', () => {
    const yaml = 'name: p\nexec:\n  command: >\n  "${DEVPOD}" helper sh -c "${COMMAND}"\n';
    const e = fieldError(configErrorOf(() => parseProviderYaml(yaml)), 'exec.command');
    expect(e.line).toBe(4);
  });
  it('refuse sections of the wrong shape', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\nagent: docker\noptions: [A]\n'));
    fieldError(err, 'agent');
    fieldError(err, 'options');
    const docker = configErrorOf(() => parseProviderYaml('name: p\nagent:\n  docker: podman\n'));
    expect(fieldError(docker, 'agent.docker').message).toMatch(/expected object/);
  });
});

describe('literal values are checked when the file is parsed', () => {
  it('with every problem listed and the line of each', () => {
    const err = configErrorOf(() =>
      parseProviderYaml('name: p\ndriver: kubernetes\npersistentVolumeSize: 20GB\ncreateNamespace: maybe\ncontainerInactivityTimeout: -5\n'),
    );
    expect(fieldError(err, 'agent.kubernetes.persistentVolumeSize').line).toBe(3);
    expect(fieldError(err, 'agent.kubernetes.createNamespace').message).toBe('expected true or false, got "maybe"');
    expect(fieldError(err, 'agent.containerInactivityTimeout').message).toMatch(/negative/);
    expect(err.message).toMatch(/^invalid provider file: .* \(and 2 more\)$/);
  });
  it('keeps empty strings empty and fields with defaults defaulted', () => {
    const { kubernetes } = loadProvider('name: p\ndriver: kubernetes\nbuildRepository: ""\npersistentVolumeSize: ""\nnamespace:\n').agent;
    expect(kubernetes.buildRepository).toBe('');
    expect(kubernetes.persistentVolumeSize).toBe('10Gi');
    expect(kubernetes.namespace).toBe('');
  });
});
