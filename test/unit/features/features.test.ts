import { describe, expect, it } from 'vitest';
import { canonicalId, featureBuild, featureOptionsEnv, installOrder, optionEnvName, parseFeatureRef, type OrderNode, type ResolvedFeature } from '../../../lib/features';
import { isWorkbayError } from '../../../lib/errors';

const node = (canonical: string, o: Partial<OrderNode> = {}): OrderNode => ({ key: canonical, canonical, aliases: [], dependsOn: [], installsAfter: [], ...o });
const order = (nodes: OrderNode[], override?: string[]) => installOrder(nodes, override).map((n) => n.key);

describe('Feature references', () => {
  it('reads local, OCI and tarball references', () => {
    expect(parseFeatureRef('./a', '.devcontainer').source).toEqual({ kind: 'local', path: '.devcontainer/a' });
    expect(parseFeatureRef('ghcr.io/devcontainers/features/node:1', '.devcontainer')).toMatchObject({
      source: { kind: 'oci', registry: 'ghcr.io', repository: 'devcontainers/features/node', reference: '1' }, canonical: 'ghcr.io/devcontainers/features/node',
    });
    expect(parseFeatureRef('127.0.0.1:5000/ns/x', '.').source).toMatchObject({ registry: '127.0.0.1:5000', repository: 'ns/x', reference: 'latest' });
    expect(parseFeatureRef('https://example.com/devcontainer-feature-x.tgz', '.').source.kind).toBe('tarball');
    expect(canonicalId('127.0.0.1:5000/ns/x:1')).toBe('127.0.0.1:5000/ns/x');
    expect(canonicalId('127.0.0.1:5000/ns/x')).toBe('127.0.0.1:5000/ns/x');
  });
  it('refuses what escapes the source, plain http and legacy short ids, naming the Feature', () => {
    for (const bad of ['../../x', 'http://example.com/f.tgz', 'node']) {
      let err: unknown;
      try { parseFeatureRef(bad, '.devcontainer'); } catch (e) { err = e; }
      expect(isWorkbayError(err, 'config.invalid')).toBe(true);
      expect((err as Error).message).toContain(`"${bad}"`);
    }
  });
});

describe('Feature options', () => {
  const meta = { id: 'x', options: { version: { type: 'string' as const, default: 'latest' }, 'install-tools': { type: 'boolean' as const, default: true } } };
  it('become upper-cased variables with defaults; a string alone is the version', () => {
    expect(featureOptionsEnv(meta, {}, 'x')).toEqual({ VERSION: 'latest', INSTALL_TOOLS: 'true' });
    expect(featureOptionsEnv(meta, '18', 'x')).toEqual({ VERSION: '18', INSTALL_TOOLS: 'true' });
    expect(featureOptionsEnv(meta, { 'install-tools': false }, 'x').INSTALL_TOOLS).toBe('false');
    expect(optionEnvName('my.option-1')).toBe('MY_OPTION_1');
  });
  it('an unknown option is refused with the declared ones named', () => {
    expect(() => featureOptionsEnv(meta, { colour: 'red' }, 'x')).toThrow(/has no option "colour"/);
  });
});

describe('install order', () => {
  it('dependsOn and installsAfter come first; otherwise by id', () => {
    expect(order([node('c'), node('b', { dependsOn: ['c'] }), node('a')])).toEqual(['a', 'c', 'b']);
    expect(order([node('a', { installsAfter: ['z'] }), node('z')])).toEqual(['z', 'a']);
    // installsAfter is soft: a Feature that is not there does not hold anything back.
    expect(order([node('a', { installsAfter: ['missing'] })])).toEqual(['a']);
    expect(order([node('b', { installsAfter: ['meta-id'] }), node('x', { aliases: ['meta-id'] })])).toEqual(['x', 'b']);
  });
  it('overrideFeatureInstallOrder wins over the id order, not over dependsOn', () => {
    expect(order([node('a'), node('b'), node('c')], ['c', 'b'])).toEqual(['c', 'b', 'a']);
    expect(order([node('a'), node('b', { dependsOn: ['a'] })], ['b'])).toEqual(['a', 'b']);
  });
  it('a cycle is an error naming the Features', () => {
    expect(() => installOrder([node('a', { dependsOn: ['b'] }), node('b', { dependsOn: ['a'] })])).toThrow(/cycle: a, b/);
  });
});

describe('the generated build', () => {
  const feature = (id: string, install: string, env: Record<string, string> = {}): ResolvedFeature => ({
    ref: { written: `./${id}`, source: { kind: 'local', path: id }, canonical: id }, metadata: { id, containerEnv: { [`${id.toUpperCase()}_HOME`]: '/opt/"x"' }, privileged: false },
    files: new Map([['install.sh', { content: Buffer.from(install), mode: 0o755 }]]), env,
  });
  const base = { ref: 'img:1', id: 'sha256:1', user: 'node', entries: [{ id: 'base' }] };
  it('one COPY and RUN per Feature in order, ENV after each, the base user restored; label entries base first', () => {
    const b = featureBuild(base, [feature('a', 'echo a'), feature('b', 'echo b')], {});
    const lines = b.dockerfile.trim().split('\n');
    expect(lines[0]).toBe('FROM img:1');
    expect(lines.filter((l) => l.startsWith('RUN')).map((l) => /installing Feature ([^']+)'/.exec(l)![1])).toEqual(['./a', './b']);
    expect(lines).toContain('ENV A_HOME="/opt/\\"x\\""');
    expect(lines.at(-1)).toBe('USER node');
    expect(b.entries).toEqual([{ id: 'base' }, { id: './a', privileged: false }, { id: './b', privileged: false }]);
  });
  it('the tag is a content hash: same inputs, same tag; a changed install.sh or option, another', () => {
    const tag = (f: ResolvedFeature[], b = base) => featureBuild(b, f, {}).tag;
    const one = tag([feature('a', 'echo a', { V: '1' })]);
    expect(one).toMatch(/^workbay-features:[0-9a-f]{32}$/);
    expect(tag([feature('a', 'echo a', { V: '1' })])).toBe(one);
    expect(tag([feature('a', 'echo A', { V: '1' })])).not.toBe(one);
    expect(tag([feature('a', 'echo a', { V: '2' })])).not.toBe(one);
    expect(tag([feature('a', 'echo a', { V: '1' })], { ...base, id: 'sha256:2' })).not.toBe(one);
  });
});
