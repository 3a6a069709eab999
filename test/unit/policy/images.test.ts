import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../../lib/config';
import { featureSourceViolations } from '../../../lib/features/policy';
import { DEFAULT_POLICY, evaluate, gitCloneOptions, imageAllowed, parseImagePattern, parseImageReference, type Policy } from '../../../lib/policy';
import { judgeServices } from '../../../lib/drivers/docker/compose/judge';
import { listingCommand } from '../../../lib/drivers/config-search';
import { sourcePodSpec } from '../../../lib/drivers/kubernetes/builders';
import { configErrorOf } from '../config/helpers';

const policyOf = (yaml: string): Policy => loadProvider(`name: p\nworkbay:\n  policy:\n${yaml.replace(/^/gm, '    ')}\n`).definition.policy;
const allows = (images: string[]) => (ref: string) => imageAllowed({ images }, ref);
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

describe('image references are read as the engine reads them', () => {
  it('applies Docker Hub defaults and aliases', () => {
    const hub = { host: 'docker.io', segments: ['library', 'ubuntu'] };
    for (const ref of ['ubuntu', 'docker.io/ubuntu', 'docker.io/library/ubuntu', 'index.docker.io/library/ubuntu', 'registry-1.docker.io/ubuntu', 'Docker.IO/library/ubuntu']) {
      expect(parseImageReference(ref), ref).toEqual(hub);
    }
    expect(parseImageReference('my-org/app:1')).toEqual({ host: 'docker.io', segments: ['my-org', 'app'], tag: '1' });
    expect(parseImageReference('localhost:5000/app@' + DIGEST)).toEqual({ host: 'localhost:5000', segments: ['app'], digest: DIGEST });
    expect(parseImageReference('[::1]:5000/a/b:v')).toEqual({ host: '[::1]:5000', segments: ['a', 'b'], tag: 'v' });
  });
  it('says why something is not a reference', () => {
    for (const ref of ['', 'Ubuntu', 'a//b', 'https://x/y', 'a b', 'x/y:', 'x@sha256:zz', 'bad_host!.com/x']) {
      expect(typeof parseImageReference(ref), ref).toBe('string');
    }
  });
});

describe('policy.images matches on whole components, never as a raw string prefix', () => {
  it('a host entry covers that registry only, in any case, port included', () => {
    const ok = allows(['registry.example.com']);
    for (const ref of ['registry.example.com/x', 'REGISTRY.example.com/team/app:1', 'registry.example.com/x@' + DIGEST]) expect(ok(ref), ref).toBe(true);
    for (const ref of ['registry.example.com.evil.example/x', 'registry.example.company/x', 'registry.example.com:5000/x', 'evil.example/registry.example.com/x', 'registry.example.com']) {
      expect(ok(ref), ref).toBe(false);
    }
    expect(allows(['registry.example.com:5000/'])('registry.example.com:5000/x')).toBe(true);
    expect(allows(['localhost:5000'])('localhost:5000/x:1')).toBe(true);
  });
  it('a path entry covers whole segments below it (with or without a trailing slash)', () => {
    for (const entry of ['registry.example.com/team/', 'registry.example.com/team']) {
      const ok = allows([entry]);
      expect(ok('registry.example.com/team/app:1'), entry).toBe(true);
      expect(ok('registry.example.com/team/sub/app'), entry).toBe(true);
      expect(ok('registry.example.com/team-evil/app'), entry).toBe(false);
      expect(ok('registry.example.com/teamx'), entry).toBe(false);
      expect(ok('registry.example.com/other/team/app'), entry).toBe(false);
    }
  });
  it('Docker Hub: ubuntu, docker.io/library/ubuntu and index.docker.io/… are one image', () => {
    for (const entry of ['ubuntu', 'docker.io/ubuntu', 'docker.io/library/ubuntu', 'index.docker.io/library/ubuntu']) {
      const ok = allows([entry]);
      for (const ref of ['ubuntu', 'ubuntu:22.04', 'docker.io/library/ubuntu:24.04', 'registry-1.docker.io/ubuntu', 'ubuntu@' + DIGEST]) expect(ok(ref), `${entry} ${ref}`).toBe(true);
      for (const ref of ['ubuntu-evil', 'ubuntux:1', 'evil/ubuntu', 'ghcr.io/library/ubuntu', 'registry.example.com/ubuntu']) expect(ok(ref), `${entry} ${ref}`).toBe(false);
    }
    // A namespace is written with a trailing slash; without one a single name is an official image.
    expect(allows(['docker.io/my-org/'])('my-org/app')).toBe(true);
    expect(allows(['my-org/'])('docker.io/my-org/app:1')).toBe(true);
    expect(allows(['docker.io/my-org'])('my-org/app')).toBe(false);
    expect(allows(['docker.io/library/'])('busybox')).toBe(true);
    expect(allows(['docker.io'])('anyone/anything')).toBe(true);
  });
  it('an entry with a tag or digest allows only that one, on that exact repository', () => {
    const tag = allows(['busybox:1.36']);
    expect(tag('busybox:1.36')).toBe(true);
    expect(tag('docker.io/library/busybox:1.36')).toBe(true);
    for (const ref of ['busybox', 'busybox:1.36.1', 'busybox:1.3', `busybox:1.36@${DIGEST}`, 'busybox/x:1.36']) expect(tag(ref), ref).toBe(false);
    expect(allows(['busybox:latest'])('busybox')).toBe(true);
    const digest = allows([`registry.example.com/app@${DIGEST}`]);
    expect(digest(`registry.example.com/app@${DIGEST}`)).toBe(true);
    expect(digest(`registry.example.com/app:v1@${DIGEST}`)).toBe(true);
    expect(digest(`registry.example.com/app@${OTHER_DIGEST}`)).toBe(false);
    expect(digest('registry.example.com/app:latest')).toBe(false);
    expect(digest(`registry.example.com/app/sub@${DIGEST}`)).toBe(false);
  });
  it('an unreadable reference is refused whenever the list is set, allowed when it is empty', () => {
    expect(allows(['registry.example.com'])('registry.example.com/Team/App')).toBe(false);
    expect(imageAllowed(DEFAULT_POLICY, 'Not A Reference')).toBe(true);
  });
});

describe('every place images are judged uses the same rule', () => {
  const p = policyOf('images: [registry.example.com, ghcr.io/devcontainers/features/]');
  it('the image, Features and Compose services', () => {
    expect(evaluate(p, { image: 'registry.example.com.evil.example/x' }).map((v) => v.rule)).toEqual(['policy.images']);
    expect(evaluate(p, { image: 'registry.example.com/x:1' })).toEqual([]);
    expect(featureSourceViolations(p, { 'ghcr.io/devcontainers/features/node:1': {}, 'ghcr.io/devcontainers/features-evil/node:1': {}, './local': {} }).map((v) => v.field))
      .toEqual(['features["ghcr.io/devcontainers/features-evil/node:1"]', 'features["./local"]']);
    const v = judgeServices(p, [{ service: 'db', hostConfig: {}, image: 'registry.example.com.evil.example/db' }, { service: 'app', hostConfig: {}, image: 'REGISTRY.EXAMPLE.COM/app' }], 'workbay-x', new Set());
    expect(v.map((x) => x.field)).toEqual(['dockerComposeFile.services.db.image']);
  });
  it('tarball Features are covered by an https:// entry, by host and whole path segments', () => {
    const ok = allows(['https://features.example.com/approved/']);
    expect(ok('https://features.example.com/approved/devcontainer-feature-x.tgz')).toBe(true);
    expect(ok('https://features.example.com/approved-evil/devcontainer-feature-x.tgz')).toBe(false);
    expect(ok('https://features.example.com.evil.example/approved/devcontainer-feature-x.tgz')).toBe(false);
    expect(ok('https://features.example.com/approved/../other/devcontainer-feature-x.tgz')).toBe(false);
    expect(ok('features.example.com/approved/x')).toBe(false);
  });
});

describe('entries are checked when the provider is added', () => {
  it('keeps the documented entries', () => {
    expect(policyOf('images: [busybox, registry.example.com/team/, "allowed/", "workbay-test/busybox:local", "127.0.0.1:5000/approved/"]').images)
      .toEqual(['busybox', 'registry.example.com/team/', 'allowed/', 'workbay-test/busybox:local', '127.0.0.1:5000/approved/']);
    expect(parseImagePattern('registry.example.com:5000')).toEqual({ host: 'registry.example.com:5000', segments: [] });
    expect(parseImagePattern('ubuntu:22.04')).toEqual({ host: 'docker.io', segments: ['library', 'ubuntu'], tag: '22.04' });
  });
  it('refuses an entry that could never match, naming it with its line', () => {
    const err = configErrorOf(() => policyOf('images:\n  - registry.example.com/team/\n  - "registry.example.com/Team"\n  - "registry.example.com/app:1/"'));
    expect(err.errors).toEqual([
      expect.objectContaining({ field: 'workbay.policy.images[1]', line: 6, message: expect.stringMatching(/"Team" as a path segment/) }),
      expect.objectContaining({ field: 'workbay.policy.images[2]', line: 7, message: expect.stringMatching(/after a tag or digest/) }),
    ]);
  });
});

describe('git clone options follow gitSources', () => {
  it('no HTTP redirects when the list is set; git\'s default otherwise', () => {
    expect(gitCloneOptions({ gitSources: ['github.com/org'] })).toEqual(['-c', 'http.followRedirects=false']);
    expect(gitCloneOptions(DEFAULT_POLICY)).toEqual([]);
    expect(gitCloneOptions(undefined)).toEqual([]);
  });
  it('the listing and the Kubernetes clone pod put them before "--", the URL after it', () => {
    const opts = gitCloneOptions({ gitSources: ['github.com'] });
    expect(listingCommand('https://github.com/a/b', 'main', opts).argv.slice(-6)).toEqual(['-c', 'http.followRedirects=false', '--branch', 'main', '--', 'https://github.com/a/b']);
    const agent = loadProvider('name: k\ndriver: kubernetes\n').agent;
    if (agent.driver !== 'kubernetes') throw new Error('not kubernetes');
    const ws = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'k', owner: 'o', source: { git: { url: 'https://github.com/a/b' } }, env: {} };
    const pod = sourcePodSpec(ws, agent.kubernetes, 'ns', 'git:local', 'https://github.com/a/b', undefined, opts);
    expect(pod.spec!.containers[0]!.command!.slice(-4)).toEqual(['-c', 'http.followRedirects=false', '--', 'https://github.com/a/b']);
    expect(sourcePodSpec(ws, agent.kubernetes, 'ns', 'git:local', 'https://github.com/a/b').spec!.containers[0]!.command!.slice(3)).toEqual(['clone', '--', 'https://github.com/a/b']);
  });
});
