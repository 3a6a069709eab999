import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../lib/config';
import { isWorkbayError, type WorkbayError } from '../../lib/errors';
import { MASK, providerView } from '../../lib/providers';
import { refuseInlineSecrets } from '../../lib/providers/secret-check';
import { inlineSecretKind } from '../../lib/secrets';

const KEY = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAzq2Vq3ZcWXkqJmFakeKeyMaterialForTests0123456789', '-----END RSA PRIVATE KEY-----'].join('\n');
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user:
    token: kube-token-0f3a9c2e7b
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`;
const rec = { name: 'p', yaml: '', optionValues: {}, version: 1, createdAt: '', updatedAt: '' };

function refusal(yaml: string, options: Record<string, string> = {}): WorkbayError {
  const r = loadProvider(yaml, { options });
  try {
    refuseInlineSecrets(r, r.setValues);
  } catch (err) {
    expect(isWorkbayError(err, 'config.invalid')).toBe(true);
    return err as WorkbayError;
  }
  throw new Error('expected a refusal');
}

describe('inline secret material', () => {
  it.each([
    [KEY, 'private key'],
    ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----', 'private key'],
    ['-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----', 'private key'],
    [KUBECONFIG, 'kubeconfig credentials'],
    ['{"clusters":[],"users":[{"name":"u","user":{"client-key-data":"LS0tLS1CRUdJTg=="}}]}', 'kubeconfig credentials'],
    ['Bearer abcdefghijklmnopqrstuvwxyz012345', 'token'],
    ['ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', 'token'],
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'token'],
  ])('is recognised (%#)', (text, kind) => {
    expect(inlineSecretKind(text)).toBe(kind);
  });

  it.each([
    'file:/etc/workbay/kubeconfig', 'env:KUBECONFIG_TEXT', 'aws-sm:workbay/prod#key', 'unix:///var/run/docker.sock',
    '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'clusters: []\ncurrent-context: x\n', 'password: true',
  ])('leaves ordinary values alone: %s', (text) => {
    expect(inlineSecretKind(text)).toBeUndefined();
  });

  it('judges adversarial input in linear time', () => {
    const started = Date.now();
    for (const text of ['eyJ'.repeat(100_000), `-----BEGIN ${'A '.repeat(100_000)}`, `clusters:${' '.repeat(200_000)}`, 'Bearer '.repeat(40_000)]) {
      expect(inlineSecretKind(text)).toBeUndefined();
    }
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('a provider with an inline TLS key is refused naming the field and line, without echoing the key', () => {
    const yaml = `name: p\nagent:\n  docker:\n    env:\n      DOCKER_TLS_KEY: |\n${KEY.replace(/^/gm, '        ')}\n`;
    const err = refusal(yaml);
    expect(err.errors[0]).toMatchObject({ field: 'agent.docker.env.DOCKER_TLS_KEY', line: 5 });
    expect(err.errors[0]!.hint).toMatch(/file:.*env:.*aws-sm:/);
    expect(JSON.stringify(err.errors) + err.message).not.toMatch(/MIIE|PRIVATE KEY-----/);
  });

  it('an inline kubeconfig is refused in the flat config key and in a password option value', () => {
    const indented = KUBECONFIG.replace(/^/gm, '  ');
    expect(refusal(`name: p\ndriver: kubernetes\nconfig: |\n${indented}`).errors.map((e) => e.field)).toContain('agent.kubernetes.config');
    const viaOption = `name: p\noptions:\n  KCFG:\n    password: true\ndriver: kubernetes\nconfig: \${KCFG}\n`;
    const err = refusal(viaOption, { KCFG: KUBECONFIG });
    expect(err.errors.map((e) => e.field)).toEqual(['options.KCFG', 'agent.kubernetes.config']);
    expect(JSON.stringify(err.errors)).not.toContain('kube-token');
  });

  it('kubeconfig text without credentials is still refused where a reference belongs', () => {
    const err = refusal('name: p\ndriver: kubernetes\nconfig: "apiVersion: v1\\nclusters: []\\n"\n');
    expect(err.errors[0]!.field).toBe('agent.kubernetes.config');
  });

  it('a token is refused in a plain field but kept (masked) as a password option value', () => {
    const yaml = 'name: p\noptions:\n  TOKEN:\n    password: true\n  PLAIN: {}\nagent:\n  docker:\n    env:\n      A: ${TOKEN}\n      B: ${PLAIN}\n';
    expect(refusal(yaml, { PLAIN: 'Bearer abcdefghijklmnopqrstuvwxyz012345' }).errors.map((e) => e.field)).toEqual(['options.PLAIN']);
    const ok = loadProvider(yaml, { options: { TOKEN: 'Bearer abcdefghijklmnopqrstuvwxyz012345' } });
    expect(() => refuseInlineSecrets(ok, ok.setValues)).not.toThrow();
    expect(JSON.stringify(providerView(rec, ok))).not.toContain('abcdefghijklmnop');
  });
});

describe('the provider view masks by field', () => {
  it('a short password value does not rewrite (and so reveal itself in) other values', () => {
    const yaml = 'name: p\noptions:\n  PW:\n    password: true\n  HOST: {}\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${HOST}\n      SECRET: ${PW}\n      MIXED: "user:${PW}@host"\n';
    const view = providerView(rec, loadProvider(yaml, { options: { PW: 'tmp', HOST: 'unix:///tmp/docker.sock' } }));
    expect(view.agent).toHaveProperty('docker.env', { DOCKER_HOST: 'unix:///tmp/docker.sock', SECRET: MASK, MIXED: MASK });
    expect(view.options.find((o) => o.name === 'PW')!.value).toBe(MASK);
    expect(view.options.find((o) => o.name === 'HOST')!.value).toBe('unix:///tmp/docker.sock');
  });

  it('masks a password default and a whole typed field fed by a password option', () => {
    const yaml = 'name: p\noptions:\n  NS:\n    password: true\n    default: secret-ns\ndriver: kubernetes\nnamespace: ${NS}\nnodeSelector: "pool=${NS}"\n';
    const view = providerView(rec, loadProvider(yaml));
    expect(view.agent).toHaveProperty('kubernetes.namespace', MASK);
    expect(view.agent).toHaveProperty('kubernetes.nodeSelector', MASK);
    expect(view.options[0]!.default).toBe(MASK);
    expect(JSON.stringify(view)).not.toContain('secret-ns');
  });
});
