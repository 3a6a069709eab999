import { describe, expect, it } from 'vitest';
import { assertFeatureSourcesPublic, featureHost } from '../../../lib/features';

describe('Feature sources the control plane may fetch', () => {
  it('reads the host of OCI references and tarball URLs; local Features have none', () => {
    expect(featureHost('ghcr.io/devcontainers/features/git:1')).toBe('ghcr.io');
    expect(featureHost('127.0.0.1:5000/ns/feature:1')).toBe('127.0.0.1');
    expect(featureHost('https://example.com/f.tgz')).toBe('example.com');
    expect(featureHost('./local-feature')).toBeUndefined();
  });

  it('refuses metadata, private and loopback addresses by default, naming each Feature', () => {
    const refs = ['http://169.254.169.254/latest/f.tgz', '10.0.0.5:5000/ns/f:1', 'localhost:5000/ns/f:1', 'ghcr.io/devcontainers/features/git:1', './mine'];
    let caught: any;
    try { assertFeatureSourcesPublic(refs, false); } catch (err) { caught = err; }
    expect(caught?.code).toBe('policy.denied');
    expect(caught.errors.map((e: { field: string }) => e.field)).toEqual([
      'devcontainer.features["http://169.254.169.254/latest/f.tgz"]', 'devcontainer.features["10.0.0.5:5000/ns/f:1"]', 'devcontainer.features["localhost:5000/ns/f:1"]',
    ]);
  });

  it('lets loopback through only when the deployment allows it, never private ranges', () => {
    expect(() => assertFeatureSourcesPublic(['127.0.0.1:5000/ns/f:1', 'localhost:5000/ns/f:1'], true)).not.toThrow();
    expect(() => assertFeatureSourcesPublic(['192.168.1.2:5000/ns/f:1'], true)).toThrow(/features\["192.168.1.2:5000\/ns\/f:1"\]/);
  });
});
