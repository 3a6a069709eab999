import { describe, expect, it } from 'vitest';
import { parseDevcontainer, parseProviderYaml } from '../../../lib/config';
import { imageReferenceProblem, isImageReference } from '../../../lib/config/image-ref';
import { configErrorOf, fieldError } from './helpers';

const IMAGE = 'mcr.microsoft.com/devcontainers/base:bookworm';

describe('image references (distribution grammar)', () => {
  it('accepts what registries accept', () => {
    for (const ref of [
      'ubuntu', 'ubuntu:22.04', IMAGE, 'workbay-test/busybox:local', 'localhost:5000/team/app:v1.2-rc_3',
      `ghcr.io/o/r@sha256:${'a'.repeat(64)}`, `x:tag@sha256:${'0'.repeat(64)}`, '[::1]:5000/img', '127.0.0.1:1/workbay-test/nope:missing',
      'a__b/c--d/e.f',
    ]) expect(isImageReference(ref), ref).toBe(true);
  });

  it('refuses paths, upper case, empty components and over-long names, cheaply', () => {
    for (const ref of ['/local/path', './folder', '../x', '~/src', 'C:\\src', 'Ubuntu', 'a//b', 'a/', ':tag', 'a:', 'a@sha256:12', `${'a'.repeat(256)}`, 'a b', 'a\u0000b']) {
      expect(isImageReference(ref), ref).toBe(false);
    }
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) isImageReference(`${'a-'.repeat(250)}!`);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('answers a local path with the way to use git', () => {
    expect(imageReferenceProblem('./some-folder')).toMatchObject({ message: expect.stringMatching(/local path/), hint: expect.stringMatching(/git source/) });
    expect(imageReferenceProblem('Debian')!.message).toMatch(/lowercase/);
    expect(imageReferenceProblem(IMAGE)).toBeUndefined();
  });
});

describe('devcontainer.json limits', () => {
  it('reports the first 50 problems and counts the rest, in time linear in the count', () => {
    const parse = (n: number) => {
      const t0 = performance.now();
      const err = configErrorOf(() => parseDevcontainer(JSON.stringify({ image: IMAGE, forwardPorts: Array.from({ length: n }, () => -1) }, null, 1)));
      return { err, ms: performance.now() - t0 };
    };
    parse(900);
    const { err, ms } = parse(900);
    expect(err.errors).toHaveLength(51);
    expect(err.errors[0]).toMatchObject({ field: 'forwardPorts[0]', line: 4 });
    expect(err.errors.at(-1)!.message).toBe('…and 850 more');
    expect(err.message).toMatch(/\(and 899 more\)$/);
    expect(ms).toBeLessThan(200);
  });

  it('refuses deep nesting before parsing; brackets in strings and comments do not count', () => {
    const err = configErrorOf(() => parseDevcontainer(`{"image": "${IMAGE}",\n "customizations": ${'['.repeat(65)}${']'.repeat(65)}}`));
    expect(err.errors[0]).toMatchObject({ field: 'document', line: 2, message: expect.stringMatching(/more than 64 levels/) });
    const ok = parseDevcontainer(`{"image": "${IMAGE}", // ${'['.repeat(100)}\n /* ${'{'.repeat(100)} */ "name": "${'['.repeat(100)}\\"", "customizations": {"x": ${'['.repeat(60)}${']'.repeat(60)}}}`);
    expect(ok.name).toBe(`${'['.repeat(100)}"`);
  });

  it('refuses lists over 1000 entries and NUL characters, at their positions', () => {
    const err = configErrorOf(() => parseDevcontainer(`{"image": "${IMAGE}",\n "capAdd": [${Array.from({ length: 1001 }, () => '"X"').join(',')}],\n "remoteUser": "a\\u0000"}`));
    expect(fieldError(err, 'capAdd')).toMatchObject({ line: 2, message: 'has 1001 entries; at most 1000 are accepted' });
    expect(fieldError(err, 'remoteUser')).toMatchObject({ line: 3, message: 'contains a NUL character' });
  });

  it('keeps the first 50 warnings', () => {
    const mounts = Array.from({ length: 80 }, (_, i) => `type=volume,source=v${i},target=/v${i},bogus${i}=1`);
    const cfg = parseDevcontainer(JSON.stringify({ image: IMAGE, mounts }));
    expect(cfg.mounts).toHaveLength(80);
    expect(cfg.warnings).toHaveLength(51);
    expect(cfg.warnings.at(-1)).toBe('…and 30 more warnings');
  });
});

describe('provider file limits', () => {
  it('refuses an alias inside its own anchor, but not a shared anchor', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\nagent: &a\n  docker:\n    env: *a\n'));
    expect(fieldError(err, 'agent.docker.env')).toMatchObject({ line: 4, message: expect.stringMatching(/inside its own anchor &a/) });
    const def = parseProviderYaml('name: p\nx-env: &e {A: "1"}\nagent:\n  docker:\n    env: *e\n  kubernetes:\n    labels: *e\n');
    expect(def.agent.docker).toEqual({ env: { A: '1' } });
  });

  it('refuses deep block and flow nesting', () => {
    let block = 'name: p\nagent:\n';
    for (let i = 1; i <= 70; i++) block += `${'  '.repeat(i)}k${i}:\n`;
    expect(configErrorOf(() => parseProviderYaml(block)).errors[0]!.message).toMatch(/more than 64 levels/);
    const flow = configErrorOf(() => parseProviderYaml(`name: p\n# [[[[ comments do not count\nagent: {x: ${'['.repeat(80)}${']'.repeat(80)}}\n`));
    expect(flow.errors[0]).toMatchObject({ line: 3, message: expect.stringMatching(/more than 64 levels/) });
  });
});
