import { describe, expect, it } from 'vitest';
import { loadProvider, parseProviderYaml, resolveProvider } from '../../../lib/config';
import { configErrorOf, fieldError } from './helpers';

const withOptions = (options: string, agent = '  containerInactivityTimeout: ${TIMEOUT}\n') =>
  `name: opts\noptions:\n${options}agent:\n${agent}`;

describe('option names', () => {
  it('must be upper case letters, digits and underscores; the error names the option', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\noptions:\n  docker-host:\n    default: x\n'));
    const e = fieldError(err, 'options.docker-host');
    expect(e.message).toMatch(/"docker-host" must match \^\[A-Z0-9_\]\+\$/);
    expect(e.line).toBe(3);
  });

  it('refuses a value for an option the provider does not declare', () => {
    const err = configErrorOf(() => loadProvider(withOptions('  TIMEOUT: {}\n'), { options: { TIMEOUTS: '5m' } }));
    const e = fieldError(err, 'options.TIMEOUTS');
    expect(e.message).toMatch(/has no option TIMEOUTS/);
    expect(e.hint).toMatch(/TIMEOUT/);
    expect(e.line).toBeUndefined();
  });
});

describe('required options', () => {
  const yaml = withOptions('  TIMEOUT:\n    required: true\n    description: How long to wait.\n');
  it('are refused when neither set nor defaulted, telling how to set them', () => {
    const e = fieldError(configErrorOf(() => loadProvider(yaml)), 'options.TIMEOUT');
    expect(e.message).toBe('required option TIMEOUT is not set');
    // The API's shape: the CLI shows it as -o TIMEOUT=<value> (cli/format.ts).
    expect(e.hint).toBe('Set it in the request body: {"options": {"TIMEOUT": "<value>"}} (How long to wait.).');
  });
  it('are satisfied by a set value', () => {
    expect(loadProvider(yaml, { options: { TIMEOUT: '90s' } }).agent.containerInactivityTimeoutSeconds).toBe(90);
  });
  it('treat an empty value as not set', () => {
    configErrorOf(() => loadProvider(yaml, { options: { TIMEOUT: '' } }));
  });
  it('are satisfied by a default', () => {
    const d = withOptions('  TIMEOUT:\n    required: true\n    default: 1m\n');
    expect(loadProvider(d).agent.containerInactivityTimeoutSeconds).toBe(60);
  });
});

describe('option types and validation', () => {
  it('checks duration options', () => {
    const yaml = withOptions('  TIMEOUT:\n    type: duration\n');
    const e = fieldError(configErrorOf(() => loadProvider(yaml, { options: { TIMEOUT: '5x' } })), 'options.TIMEOUT');
    expect(e.message).toMatch(/the value set for TIMEOUT is invalid: "5x" is not a duration/);
  });
  it('checks number options', () => {
    const yaml = withOptions('  TIMEOUT:\n    type: number\n');
    expect(loadProvider(yaml, { options: { TIMEOUT: '120' } }).agent.containerInactivityTimeoutSeconds).toBe(120);
    configErrorOf(() => loadProvider(yaml, { options: { TIMEOUT: 'ten' } }));
  });
  it('checks boolean options', () => {
    const yaml = withOptions('  FLAG:\n    type: boolean\n', '  driver: kubernetes\n  kubernetes:\n    createNamespace: ${FLAG}\n');
    expect(loadProvider(yaml, { options: { FLAG: 'true' } }).agent.kubernetes.createNamespace).toBe(true);
    const e = fieldError(configErrorOf(() => loadProvider(yaml, { options: { FLAG: 'yes' } })), 'options.FLAG');
    expect(e.message).toMatch(/use true or false/);
  });
  it('checks enums, in both the old string and the newer object form', () => {
    const yaml = withOptions(
      '  MODE:\n    enum: [RWO, RWX]\n  ARCH:\n    enum:\n      - value: amd64\n        displayName: Intel\n      - value: arm64\n',
      '  driver: kubernetes\n  kubernetes:\n    pvcAccessMode: ${MODE}\n    architecture: ${ARCH}\n',
    );
    expect(parseProviderYaml(yaml).options.ARCH!.enum).toEqual(['amd64', 'arm64']);
    const r = loadProvider(yaml, { options: { MODE: 'RWX', ARCH: 'arm64' } });
    expect(r.agent.kubernetes.pvcAccessMode).toBe('ReadWriteMany');
    expect(r.agent.kubernetes.architecture).toBe('arm64');
    const e = fieldError(configErrorOf(() => loadProvider(yaml, { options: { MODE: 'RWZ' } })), 'options.MODE');
    expect(e.message).toMatch(/"RWZ" is not one of "RWO", "RWX"/);
  });
  it('checks validationPattern with validationMessage', () => {
    const yaml = withOptions("  TIMEOUT:\n    validationPattern: '^[0-9]+m$'\n    validationMessage: Give minutes, e.g. 15m\n");
    expect(loadProvider(yaml, { options: { TIMEOUT: '15m' } }).agent.containerInactivityTimeoutSeconds).toBe(900);
    const e = fieldError(configErrorOf(() => loadProvider(yaml, { options: { TIMEOUT: '1h' } })), 'options.TIMEOUT');
    expect(e.message).toMatch(/Give minutes, e.g. 15m/);
  });
  it('refuses an unknown type, a broken pattern, and default with command', () => {
    const yaml = withOptions(
      "  A:\n    type: text\n  B:\n    validationPattern: '([a-z'\n  C:\n    default: x\n    command: echo x\n",
      '  local: true\n',
    );
    const err = configErrorOf(() => parseProviderYaml(yaml));
    expect(fieldError(err, 'options.A.type').message).toMatch(/string, multiline, duration, number, boolean/);
    expect(fieldError(err, 'options.B.validationPattern').message).toMatch(/not a valid regular expression/);
    expect(fieldError(err, 'options.C').message).toMatch(/default and command cannot be used together/);
  });
  it('refuses a default that fails its own type when the file is parsed', () => {
    const e = fieldError(configErrorOf(() => parseProviderYaml(withOptions('  TIMEOUT:\n    type: number\n    default: soon\n'))), 'options.TIMEOUT.default');
    expect(e.line).toBe(5);
  });
  it('stringifies YAML scalars in defaults and reads boolean flags', () => {
    const def = parseProviderYaml(withOptions('  TIMEOUT:\n    default: 300\n    password: "true"\n    mutable: true\n'));
    expect(def.options.TIMEOUT).toEqual({ default: '300', password: true, mutable: true });
  });
});

describe('${NAME} substitution', () => {
  it('refuses an unknown name at parse time, naming it and the field', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\nagent:\n  docker:\n    path: ${DOCKER_BIN}\n'));
    const e = fieldError(err, 'agent.docker.path');
    expect(e.message).toBe('unknown variable ${DOCKER_BIN}: no option or built-in is named DOCKER_BIN');
    expect(e.line).toBe(4);
    expect(e.hint).toMatch(/DEVPOD, WORKSPACE_ID/);
  });
  it('refuses shell-style defaults instead of silently ignoring them', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\noptions:\n  X: {}\nagent:\n  docker:\n    path: ${X:-docker}\n'));
    expect(fieldError(err, 'agent.docker.path').message).toMatch(/defaults inside/);
  });
  it('substitutes recursively, inside maps, and leaves exec alone', () => {
    const yaml = 'name: p\noptions:\n  HOST: {default: "tcp://127.0.0.1:2375"}\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${HOST}\n      OTHER: pre-${HOST}-post\nexec:\n  command: ${HOST} ${UNKNOWN}\n';
    const r = loadProvider(yaml);
    expect(r.agent.docker.env).toEqual({ DOCKER_HOST: 'tcp://127.0.0.1:2375', OTHER: 'pre-tcp://127.0.0.1:2375-post' });
    expect(r.definition.exec.command).toBe('${HOST} ${UNKNOWN}');
  });
  it('never expands a reference inside an option value', () => {
    const yaml = 'name: p\noptions:\n  P: {}\nagent:\n  docker:\n    path: ${P}\n';
    expect(loadProvider(yaml, { options: { P: '${DEVPOD}' } }).agent.docker.path).toBe('${DEVPOD}');
  });
  it('prefers an option over a built-in of the same name', () => {
    const yaml = 'name: p\noptions:\n  DEVPOD: {default: /opt/devpod}\nagent:\n  path: ${DEVPOD}\n';
    expect(loadProvider(yaml).agent.path).toBe('/opt/devpod');
  });
  it('works on a definition that went through JSON (no line numbers then)', () => {
    const def = JSON.parse(JSON.stringify(parseProviderYaml(withOptions('  TIMEOUT: {}\n'))));
    expect(resolveProvider(def, { TIMEOUT: '2m' }).agent.containerInactivityTimeoutSeconds).toBe(120);
    const e = fieldError(configErrorOf(() => resolveProvider(def, { TIMEOUT: 'x' })), 'agent.containerInactivityTimeout');
    expect(e.line).toBeUndefined();
  });
});

describe('password options', () => {
  const yaml = "name: p\noptions:\n  HOST:\n    password: true\n    validationPattern: '^tcp://'\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${HOST}\n";
  it('never appear in error messages', () => {
    const err = configErrorOf(() => loadProvider(yaml, { options: { HOST: 'hunter2-secret' } }));
    expect(JSON.stringify(err.errors)).not.toContain('hunter2-secret');
    expect(err.message).not.toContain('hunter2-secret');
    expect(fieldError(err, 'options.HOST').message).toContain('not shown');
  });
  it('resolve like any other option', () => {
    expect(loadProvider(yaml, { options: { HOST: 'tcp://127.0.0.1:2376' } }).agent.docker.env.DOCKER_HOST).toBe('tcp://127.0.0.1:2376');
  });
});

describe('maps from the file', () => {
  it('keep a __proto__ key as data, not as a prototype', () => {
    const r = loadProvider('name: p\nagent:\n  docker:\n    env:\n      __proto__: x\n      polluted: "yes"\n');
    expect(Object.keys(r.agent.docker.env)).toEqual(['__proto__', 'polluted']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
