import {
  GIT_DEFAULT_PORTS, gitPathSegments, normalizeGitHost, parseGitLocation, showGitLocation,
  type GitLocation, type GitScheme,
} from '../config/git-url';
import type { Policy, Violation } from './types';

/** At most this many entries: every create and listing compares its URL with each. */
export const MAX_GIT_SOURCES = 100;

/** One `gitSources` entry, read: `[scheme://]host[:port][/path]`, the host optionally `*.domain`. */
export interface GitSourcePattern {
  /** Undefined: any scheme a git source may use (scp-like `git@host:path` is ssh). */
  scheme?: GitScheme;
  host: string;
  /** True for `*.domain`: any host below `domain` (not `domain` itself). */
  subdomains: boolean;
  /** Undefined: the default port of the URL's scheme. */
  port?: number;
  /** Leading path segments the repository must be under (whole segments, case kept); empty: any path. */
  segments: string[];
}

const SCHEMES = new Set<string>(['https', 'http', 'git', 'ssh']);
const HINT = 'Write [scheme://]host[:port][/path], e.g. github.com/my-org, https://git.example.com/team, *.corp.example';

/**
 * Reads one `gitSources` entry, or returns why it cannot be one. No user, query or fragment (the
 * allow-list is about where code comes from, not who fetches it), no `.`, `..` or percent escapes
 * in the path (a prefix must mean one folder), `*` only as a whole first label of the host.
 */
export function parseGitSourcePattern(entry: string): GitSourcePattern | string {
  const text = entry.trim();
  if (text.length > 2048) return 'is longer than 2048 characters';
  if (/[\s\u0000-\u001f\u007f\\?#]/.test(text)) return `${JSON.stringify(text)} has whitespace, a backslash, a query or a fragment. ${HINT}`;
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([^/]*)(.*)$/.exec(text)!;
  const scheme = m[1]?.toLowerCase();
  if (scheme !== undefined && !SCHEMES.has(scheme)) return `the ${scheme}:// scheme is not one git sources use (https, http, git, ssh)`;
  if (m[2]!.includes('@')) return `${JSON.stringify(text)} names a user; leave it out (any user matches). ${HINT}`;
  const subdomains = m[2]!.startsWith('*.');
  const hp = normalizeGitHost(subdomains ? m[2]!.slice(2) : m[2]!);
  if (!hp) return `${JSON.stringify(text)} does not start with a host name, IP address or *.domain. ${HINT}`;
  const segments = gitPathSegments(m[3]!);
  if (!segments) return `${JSON.stringify(text)} has a ".", ".." or percent-escaped path segment; write the plain path`;
  return { ...(scheme ? { scheme: scheme as GitScheme } : {}), host: hp.host, subdomains, ...(hp.port ? { port: hp.port } : {}), segments };
}

/** True when the pattern covers the location: scheme (if given), host, port and leading path segments all agree. */
export function gitPatternMatches(p: GitSourcePattern, l: GitLocation): boolean {
  if (p.scheme && p.scheme !== l.scheme) return false;
  if (p.subdomains ? !l.host.endsWith(`.${p.host}`) : l.host !== p.host) return false;
  if ((p.port ?? GIT_DEFAULT_PORTS[p.scheme ?? l.scheme]) !== l.port) return false;
  if (p.segments.length === 0) return true;
  const s = l.segments;
  return s !== undefined && s.length >= p.segments.length && p.segments.every((seg, i) => s[i] === seg);
}

/**
 * Judges a git URL against the provider's `gitSources`: undefined when allowed (always, when the
 * list is empty), else the violation, naming `field` and how many sources are allowed. The message
 * shows the normalised location (never the URL's user or token) and not the list itself. Pure.
 */
export function gitSourceViolation(policy: Pick<Policy, 'gitSources'>, url: string, field: string): Violation | undefined {
  const allowed = policy.gitSources ?? [];
  if (allowed.length === 0) return undefined;
  const where = parseGitLocation(url);
  const count = allowed.length === 1 ? 'one git source' : `${allowed.length} git sources`;
  const hint = 'Use a repository the provider allows, or ask an admin to allow this one.';
  if (typeof where === 'string') {
    return { field, rule: 'policy.gitSources', message: `this provider allows only ${count}, and this URL cannot be judged: it ${where}`, hint };
  }
  const patterns = allowed.map(parseGitSourcePattern).filter((p): p is GitSourcePattern => typeof p !== 'string');
  if (patterns.some((p) => gitPatternMatches(p, where))) return undefined;
  const pathNote = where.segments ? '' : ' (its path has ".", ".." or percent escapes, so no path prefix covers it)';
  return { field, rule: 'policy.gitSources', message: `${showGitLocation(where)} is not under ${allowed.length === 1 ? 'the' : 'any of the'} ${count} this provider allows${pathNote}`, hint };
}

/** True when the provider lets workspaces (and config listings) use this git URL. */
export function gitSourceAllowed(policy: Pick<Policy, 'gitSources'>, url: string): boolean {
  return gitSourceViolation(policy, url, 'source.git.url') === undefined;
}

/**
 * Options for every `git clone` a provider's engine runs (workspace sources, config listings): with
 * `gitSources` set, git follows no HTTP redirect, since an allowed https host could otherwise send
 * the clone to one the list does not name. Without the list git's default (`initial`) is kept.
 * Written as `git clone` options, before `--`.
 */
export function gitCloneOptions(policy?: Pick<Policy, 'gitSources'>): string[] {
  return policy?.gitSources?.length ? ['-c', 'http.followRedirects=false'] : [];
}
