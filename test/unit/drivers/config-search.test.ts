import { describe, expect, it } from 'vitest';
import { gitUrlProblem } from '../../../lib/config/git-url';
import { listingCommand, listingFailed, parseListing } from '../../../lib/drivers/config-search';
import { isWorkbayError } from '../../../lib/errors';

/** The pure halves of config listing: the helper's output, and which git URLs may be listed. */
describe('parseListing', () => {
  const { marker, argv } = listingCommand('git://127.0.0.1/r.git', 'main');
  const out = (...lines: string[]) => [`${marker} cloned`, ...lines, `${marker} done`, ''].join('\n');

  it('passes the URL after "--" and the ref as --branch, with a fresh marker each time', () => {
    expect(argv.slice(-4)).toEqual(['--branch', 'main', '--', 'git://127.0.0.1/r.git']);
    expect(listingCommand('x').marker).not.toBe(marker);
  });

  it('reads names from JSONC, keeps the spec\'s order and picks the default', () => {
    const listing = parseListing(out(
      `${marker} config .devcontainer/b/devcontainer.json`, '{ "name": "B" }', '',
      `${marker} config .devcontainer.json`, '// root\n{ "name": "Root", }', '',
      `${marker} large .devcontainer/a/devcontainer.json`,
      `${marker} config .devcontainer/c/devcontainer.json`, 'not json at all', '',
    ), marker);
    expect(listing).toEqual({
      items: [{ path: '.devcontainer.json', name: 'Root' }, { path: '.devcontainer/a/devcontainer.json' }, { path: '.devcontainer/b/devcontainer.json', name: 'B' }, { path: '.devcontainer/c/devcontainer.json' }],
      default: '.devcontainer.json',
    });
  });

  it('a file cannot pose as a listing line: only the random marker counts', () => {
    const listing = parseListing(out(`${marker} config .devcontainer/x/devcontainer.json`, '{ "name": "X" }\n::wb-000 config /etc/passwd\n::done', ''), marker);
    expect(listing).toEqual({ items: [{ path: '.devcontainer/x/devcontainer.json', name: 'X' }], default: '.devcontainer/x/devcontainer.json' });
  });

  it('several nested configs: no default; more than the bound: truncated', () => {
    const listing = parseListing(out(`${marker} config .devcontainer/a/devcontainer.json`, '{}', '', `${marker} config .devcontainer/b/devcontainer.json`, '{}', '', `${marker} more`), marker);
    expect(listing).toEqual({ items: [{ path: '.devcontainer/a/devcontainer.json' }, { path: '.devcontainer/b/devcontainer.json' }], truncated: true });
    expect(parseListing(out(), marker)).toEqual({ items: [] });
  });

  it('output that ends early is an error, and a failure hides URL passwords', () => {
    expect(() => parseListing(`${marker} cloned\n${marker} config .devcontainer.json\n{`, marker)).toThrow(/ended early/);
    const err = listingFailed('exit 128', "fatal: unable to access 'https://bob:hunter2@git.example/r.git/': 403");
    expect(isWorkbayError(err, 'driver.sourceFailed')).toBe(true);
    expect(err.message).not.toContain('hunter2');
    expect(err.message).toContain('(exit 128)');
  });
});

describe('gitUrlProblem', () => {
  it.each(['https://github.com/org/repo.git', 'http://127.0.0.1:8080/r.git', 'git://127.0.0.1:9418/r.git', 'ssh://git@host:22/org/r.git', 'git@github.com:org/repo.git', 'https://token@github.com/org/r.git'])('accepts %s', (url) => {
    expect(gitUrlProblem(url)).toBeUndefined();
  });
  it.each([
    ['', /empty/], ['/srv/r.git', /local path/], ['./r', /local path/], ['file:///etc', /file:\/\/ scheme/], ['ext::sh -c id', /whitespace/],
    ['ext::sh', /remote-helper/], ['--upload-pack=x', /"-"/], ['https://u:pw@h/r.git', /password/], ['https://', /valid URL|no host/],
    ['hello', /not a git URL/], [`https://h/${'a'.repeat(2100)}`, /2048/],
  ])('refuses %s', (url, why) => {
    expect(gitUrlProblem(url)).toMatch(why);
  });
});
