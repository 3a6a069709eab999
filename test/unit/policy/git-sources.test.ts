import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../../lib/config';
import { parseGitLocation } from '../../../lib/config/git-url';
import { DEFAULT_POLICY, gitSourceAllowed, gitSourceViolation, parseGitSourcePattern, type Policy } from '../../../lib/policy';
import { configErrorOf, fieldError } from '../config/helpers';

const policyOf = (yaml: string): Policy => loadProvider(`name: p\nworkbay:\n  policy:\n${yaml.replace(/^/gm, '    ')}\n`).definition.policy;
const allows = (sources: string[]) => (url: string) => gitSourceAllowed({ gitSources: sources }, url);

describe('policy.gitSources: which repositories a provider lets users clone', () => {
  it('an absent or empty list allows any git URL (today\'s behaviour)', () => {
    expect(DEFAULT_POLICY.gitSources).toEqual([]);
    expect(policyOf('images: []').gitSources).toEqual([]);
    for (const url of ['https://github.com/a/b', 'git@10.0.0.1:x', 'git://127.0.0.1:9418/r.git']) expect(gitSourceAllowed(DEFAULT_POLICY, url)).toBe(true);
  });

  it('a host entry matches every way of writing that host: scheme, scp-like, userinfo, case, default port, trailing dot', () => {
    const ok = allows(['github.com']);
    for (const url of [
      'https://github.com/org/repo.git', 'http://github.com/org/repo', 'git://github.com/org/repo', 'ssh://git@github.com/org/repo',
      'git@github.com:org/repo.git', 'github.com:org/repo', 'https://token-user@GitHub.COM/org/repo', 'https://github.com:443/org/repo',
      'ssh://git@github.com:22/org/repo', 'https://github.com./org/repo',
    ]) expect(ok(url), url).toBe(true);
  });

  it('is never fooled by a raw string prefix: look-alike hosts, userinfo tricks and other ports are refused', () => {
    const ok = allows(['github.com', 'https://git.example.com/team']);
    for (const url of [
      'https://github.com.evil.example/org/repo', 'https://github.company.example/x', 'https://evilgithub.com/x',
      'https://github.com@evil.example/org/repo', 'https://github.com:443@evil.example/x', 'git@github.com.evil.example:org/repo',
      'ssh://github.com@evil.example/x', 'https://git.example.com.evil.example/team/x', 'https://github.com:8443/org/repo',
      'ssh://git@github.com:2222/org/repo', 'https://git.example.com/teammates/x', 'https://git.example.com/other/team/x',
    ]) expect(ok(url), url).toBe(false);
  });

  it('URLs git clients read differently are refused, not guessed: backslashes, a second @, queries, fragments, escapes in the host', () => {
    const ok = allows(['github.com']);
    for (const url of [
      'https://github.com\\@evil.example/x', 'https://a@b@github.com/x', 'https://github.com?@evil.example/',
      'https://github.com#@evil.example/', 'https://git%68ub.com/x', 'https://github.com:/x', 'https://github.com:99999/x',
    ]) expect(ok(url), url).toBe(false);
    expect(parseGitLocation('https://a@b@github.com/x')).toMatch(/more than one "@"/);
    expect(gitSourceViolation({ gitSources: ['github.com'] }, 'https://github.com?x', 'source.git.url')!.message).toMatch(/cannot be judged.*query/);
  });

  it('a path prefix covers whole segments; ".git", trailing and doubled slashes do not matter; case does', () => {
    const ok = allows(['github.com/my-org', 'https://gitlab.example.com/group/sub/one-repo']);
    for (const url of ['https://github.com/my-org/a', 'git@github.com:my-org/a.git', 'ssh://git@github.com/my-org/a/', 'https://github.com//my-org/a',
      'https://gitlab.example.com/group/sub/one-repo.git', 'https://gitlab.example.com/group/sub/one-repo']) expect(ok(url), url).toBe(true);
    for (const url of ['https://github.com/my-org-evil/a', 'https://github.com/My-Org/a', 'https://github.com/other/my-org', 'https://github.com/',
      'ssh://gitlab.example.com/group/sub/one-repo', 'https://gitlab.example.com/group/sub/one-repo-fork']) expect(ok(url), url).toBe(false);
  });

  it('".", ".." and percent escapes in the path never satisfy a path prefix (the server may resolve them elsewhere)', () => {
    const ok = allows(['github.com/my-org']);
    for (const url of ['https://github.com/my-org/../evil/x', 'git@github.com:my-org/../../etc', 'https://github.com/my-org%2F..%2Fevil/x', 'https://github.com/my-org/%2e%2e/evil/x', 'https://github.com/./my-org/x']) {
      expect(ok(url), url).toBe(false);
    }
    expect(gitSourceViolation({ gitSources: ['github.com/my-org'] }, 'https://github.com/my-org/../evil', 'f')!.message).toMatch(/no path prefix covers it/);
    // A host-only entry does not look at the path.
    expect(allows(['github.com'])('https://github.com/my-org/../evil/x')).toBe(true);
  });

  it('a scheme restricts; a port names that port; *.domain covers subdomains only; IPv6 compares canonically', () => {
    expect(allows(['https://github.com'])('git@github.com:o/r')).toBe(false);
    expect(allows(['ssh://github.com'])('git@github.com:o/r')).toBe(true);
    expect(allows(['ssh://github.com'])('https://github.com/o/r')).toBe(false);
    expect(allows(['git.corp.example:8443'])('https://git.corp.example:8443/r')).toBe(true);
    expect(allows(['git.corp.example:8443'])('https://git.corp.example/r')).toBe(false);
    expect(allows(['git://127.0.0.1:9418'])('git://127.0.0.1/r')).toBe(true);
    const wild = allows(['*.corp.example']);
    expect(wild('https://git.corp.example/r')).toBe(true);
    expect(wild('git@a.b.corp.example:r')).toBe(true);
    expect(wild('https://corp.example/r')).toBe(false);
    expect(wild('https://evilcorp.example/r')).toBe(false);
    expect(wild('https://git.corp.example.evil.example/r')).toBe(false);
    expect(allows(['[::1]:3000'])('http://[0:0::1]:3000/r')).toBe(true);
  });

  it('the refusal names the field, the rule and how many sources are allowed, never the user or token of the URL, nor the list', () => {
    const v = gitSourceViolation({ gitSources: ['github.com/my-org', 'git.internal.example'] }, 'https://ghp_SECRET123@gitlab.com/x/y.git', 'source.git.url');
    expect(v).toEqual({ field: 'source.git.url', rule: 'policy.gitSources', message: 'https://gitlab.com/x/y is not under any of the 2 git sources this provider allows', hint: 'Use a repository the provider allows, or ask an admin to allow this one.' });
    expect(JSON.stringify(v)).not.toMatch(/SECRET|internal/);
  });
});

describe('gitSources entries in provider.yaml', () => {
  it('are kept as written (trimmed) and shown so in the policy', () => {
    expect(policyOf('gitSources: [" github.com/my-org ", "https://git.example.com:8443/team/", "*.corp.example"]').gitSources)
      .toEqual(['github.com/my-org', 'https://git.example.com:8443/team/', '*.corp.example']);
  });

  it('a bad entry is an error naming the field and its line, like the other keys', () => {
    const err = configErrorOf(() => loadProvider('name: p\nworkbay:\n  policy:\n    gitSources:\n      - github.com\n      - git@github.com:org\n      - "file:///srv"\n      - 42\n'));
    expect(fieldError(err, 'workbay.policy.gitSources[1]')).toMatchObject({ line: 6, message: expect.stringMatching(/names a user/) });
    expect(fieldError(err, 'workbay.policy.gitSources[2]').message).toMatch(/file:\/\/ scheme/);
    expect(fieldError(err, 'workbay.policy.gitSources[3]').line).toBe(8);
    expect(fieldError(configErrorOf(() => policyOf('gitSources: github.com')), 'workbay.policy.gitSources').message).toMatch(/must be a list/);
  });

  it.each([
    ['a path with ..', 'github.com/org/../x', /"\."/],
    ['a wildcard inside the host', 'git*.example.com', /host name/],
    ['a bare wildcard', '*', /host name/],
    ['a query', 'github.com/org?x=1', /query/],
    ['a scp-like spelling without user', 'github.com:org', /host name/],
    ['no host', 'https:///org', /host name/],
  ])('refuses %s', (_what, entry, reason) => {
    expect(parseGitSourcePattern(entry)).toMatch(reason);
  });

  it('more than 100 entries are refused', () => {
    const many = Array.from({ length: 101 }, (_, i) => `"h${i}.example"`).join(', ');
    expect(fieldError(configErrorOf(() => policyOf(`gitSources: [${many}]`)), 'workbay.policy.gitSources').message).toMatch(/at most 100/);
  });

  it('cost stays linear on long hostile URLs', () => {
    const url = `https://${'a.'.repeat(1000)}example/${'x/'.repeat(500)}`;
    expect(gitSourceAllowed({ gitSources: ['github.com/o'] }, url)).toBe(false);
  });
});
