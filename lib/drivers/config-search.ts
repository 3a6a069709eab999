import { randomBytes } from 'node:crypto';
import { parse, type ParseError } from 'jsonc-parser';
import { WorkbayError } from '../errors';

/** At most this many configs are listed from one repository (the rest is reported as `truncated`). */
export const MAX_LISTED_CONFIGS = 50;
/** A devcontainer.json larger than this is listed without its `name`. */
export const MAX_LISTED_CONFIG_BYTES = 64 * 1024;
/** A listing (clone included) that takes longer than this is stopped and reported. */
export const LISTING_TIMEOUT_MS = 60_000;

/** One dev container configuration found in a repository. */
export interface ListedConfig {
  /** Path inside the repository, usable as a workspace's `devcontainerPath`. */
  path: string;
  /** The config's `name`, when it has one. */
  name?: string;
}

/** The configurations of a repository, in the spec's search order. */
export interface ConfigListing {
  items: ListedConfig[];
  /** What a workspace without `devcontainerPath` would run; absent when there is none or a choice is needed. */
  default?: string;
  /** More than MAX_LISTED_CONFIGS were found. */
  truncated?: boolean;
}

/**
 * The helper's shell script. It only uses sh builtins and the applets every helper image has (test,
 * cat, ls, rm), since the default test image is that small. Output lines start with a random marker
 * the control plane chose, so a file's content cannot pose as one.
 */
const SCRIPT = [
  'set -e',
  'm="$1"; shift',
  'd=/tmp/workbay-configs',
  'rm -rf "$d"',
  'git clone --quiet --depth 1 --single-branch --no-tags "$@" "$d"',
  'cd "$d"',
  'echo "$m cloned"',
  'n=0',
  'for f in .devcontainer/devcontainer.json .devcontainer.json .devcontainer/*/devcontainer.json; do',
  '  test -f "$f" || continue',
  '  test -L "$f" && continue',
  '  case "$f" in .devcontainer/*) test -L .devcontainer && continue;; esac',
  '  case "$f" in *[!A-Za-z0-9._/-]*) continue;; esac',
  '  n=$((n+1))',
  `  if [ "$n" -gt ${MAX_LISTED_CONFIGS} ]; then echo "$m more"; break; fi`,
  '  set -- $(ls -ln "$f")',
  `  if [ "$5" -gt ${MAX_LISTED_CONFIG_BYTES} ]; then echo "$m large $f"; continue; fi`,
  '  echo "$m config $f"; cat "$f"; echo',
  'done',
  'echo "$m done"',
].join('\n');

/** A helper's command line for one listing, with its output marker. */
export function listingCommand(url: string, ref?: string, gitOptions: string[] = []): { argv: string[]; marker: string } {
  const marker = `::wb-${randomBytes(12).toString('hex')}`;
  // git options before `--`, the URL after it: a URL can never be read as an option.
  return { marker, argv: ['/bin/sh', '-c', SCRIPT, 'list-configs', marker, ...gitOptions, ...(ref ? ['--branch', ref] : []), '--', url] };
}

function nameOf(text: string): string | undefined {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false }) as unknown;
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const name = (value as { name?: unknown }).name;
  return typeof name === 'string' && name.trim() ? name.trim().slice(0, 200) : undefined;
}

/** The first of the spec's two fixed places, else the one nested config (several are a choice). */
function defaultOf(paths: string[]): string | undefined {
  const fixed = ['.devcontainer/devcontainer.json', '.devcontainer.json'].find((p) => paths.includes(p));
  if (fixed) return fixed;
  const nested = paths.filter((p) => p.split('/').length === 3);
  return nested.length === 1 ? nested[0] : undefined;
}

/**
 * Reads a listing helper's output (stdout; a pod log also holds git's stderr before the `cloned`
 * line). Nested configs are sorted, after the two fixed places, as the reference CLI searches.
 *
 * @throws WorkbayError `driver.sourceFailed` when the output ended early (the helper was stopped).
 */
export function parseListing(output: string, marker: string): ConfigListing {
  const start = output.indexOf(`${marker} cloned\n`);
  if (start < 0 || !output.includes(`${marker} done`)) {
    throw new WorkbayError('driver.sourceFailed', 'listing the repository\'s dev container configurations ended early');
  }
  const parts = output.slice(start).split(`\n${marker} `).slice(1);
  const found: ListedConfig[] = [];
  let truncated = false;
  for (const part of parts) {
    const nl = part.indexOf('\n');
    const head = nl < 0 ? part : part.slice(0, nl);
    const sp = head.indexOf(' ');
    const kind = sp < 0 ? head : head.slice(0, sp);
    const path = sp < 0 ? '' : head.slice(sp + 1);
    if (kind === 'config') {
      const text = nl < 0 ? '' : part.slice(nl + 1);
      const name = nameOf(text);
      found.push({ path, ...(name ? { name } : {}) });
    } else if (kind === 'large') {
      found.push({ path });
    } else if (kind === 'more') {
      truncated = true;
    }
  }
  const rank = (p: string) => (p === '.devcontainer/devcontainer.json' ? 0 : p === '.devcontainer.json' ? 1 : 2);
  const items = found.sort((a, b) => rank(a.path) - rank(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const def = defaultOf(items.map((i) => i.path));
  return { items, ...(def ? { default: def } : {}), ...(truncated ? { truncated } : {}) };
}

/** The error for a helper that failed: git's own words (the tail), never the URL's credentials. */
export function listingFailed(status: string, output: string): WorkbayError {
  const tail = output.replace(/[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]*@/gi, (m) => m.replace(/:[^:@]*@$/, ':***@')).trim().slice(-1500);
  return new WorkbayError('driver.sourceFailed', `cloning the repository to list its dev container configurations failed (${status})${tail ? `: ${tail}` : ''}`);
}
