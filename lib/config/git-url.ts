/** Schemes a git source may use; the engine's helper clones it, so local paths and `file:` mean nothing there. */
const SCHEMES = new Set(['https:', 'http:', 'git:', 'ssh:']);
/** `user@host:path`, git's scp-like form (the host must not be followed by `//`, which is a URL). */
const SCP_LIKE = /^(?:[A-Za-z0-9._~-]+@)?[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;

/**
 * Why a git URL cannot be a source, or undefined when it can: `https://`, `http://`, `git://`,
 * `ssh://` or scp-like `git@host:org/repo.git`. Refused: local paths and `file://` (they would name
 * the helper's own file system), git's `ext::` and other remote-helper transports (they run
 * commands), a leading `-` (an option to git), whitespace or control characters, and a password in
 * the URL (it would end up in logs and workspace views; use an ssh key or a credential helper on
 * the engine instead). Linear in the URL's length.
 */
export function gitUrlProblem(url: string): string | undefined {
  if (!url) return 'is empty';
  if (url.length > 2048) return 'is longer than 2048 characters';
  if (/[\s\u0000-\u001f\u007f]/.test(url)) return 'must not contain whitespace or control characters';
  if (url.startsWith('-')) return 'must not start with "-"';
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url)) return 'git remote-helper transports (such as ext::) are not accepted; use https://, ssh://, git:// or git@host:path';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url)?.[1];
  if (scheme) {
    if (!SCHEMES.has(`${scheme.toLowerCase()}:`)) return `the ${scheme}:// scheme is not accepted; use https://, ssh://, git:// or git@host:path`;
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return 'is not a valid URL';
    }
    if (!u.hostname) return 'names no host';
    if (u.password) return 'must not carry a password (it would be logged and shown); use an ssh key or a credential helper on the engine';
    return undefined;
  }
  if (url.startsWith('/') || url.startsWith('.') || url.startsWith('~')) return 'is a local path; the repository is cloned on the engine, so give a URL it can reach (https://, ssh://, git:// or git@host:path)';
  if (SCP_LIKE.test(url)) return undefined;
  return 'is not a git URL (https://, ssh://, git:// or git@host:path)';
}

/** The default port of each scheme a git source may use: `github.com` and `github.com:443` are one server for https. */
export const GIT_DEFAULT_PORTS: Readonly<Record<GitScheme, number>> = Object.freeze({ https: 443, http: 80, git: 9418, ssh: 22 });

/** A scheme a git source may use; scp-like `git@host:path` is `ssh`. */
export type GitScheme = 'https' | 'http' | 'git' | 'ssh';

/** Where a git URL points, normalised so that spellings git treats alike compare equal. */
export interface GitLocation {
  scheme: GitScheme;
  /** Lowercase, without a trailing dot; IPv6 in brackets, in its canonical form. */
  host: string;
  /** Always set: the scheme's default when the URL names none. */
  port: number;
  /**
   * The path's segments without empty ones and without a final `.git` (git servers try `repo.git`
   * for `repo`), case kept; undefined when the path cannot be compared by segments (a `.` or `..`
   * segment, or a percent escape), so no path prefix covers it.
   */
  segments?: string[];
}

const DNS_HOST = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const URL_FORM = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/]*)(.*)$/;
const SCP_PARTS = /^(?:[A-Za-z0-9._~-]+@)?([A-Za-z0-9.-]+):(.+)$/;

/**
 * A host (and optional port) as a server name: lowercase, one trailing dot dropped (`github.com.` is
 * `github.com` to the resolver), IPv6 canonical. Undefined for anything else, percent escapes and
 * non-ASCII names included, so a spelling this cannot read never matches an allowed host.
 */
export function normalizeGitHost(hostPort: string): { host: string; port?: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(hostPort);
  if (!m) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  let host = m[1]!.toLowerCase();
  if (host.startsWith('[')) {
    try {
      host = new URL(`http://${host}/`).hostname;
    } catch {
      return undefined;
    }
  } else {
    if (host.endsWith('.')) host = host.slice(0, -1);
    if (!DNS_HOST.test(host)) return undefined;
  }
  return port === undefined ? { host } : { host, port };
}

/** Segments of a path as compared by prefix; undefined when `.`, `..` or a percent escape could make it mean another path. */
export function gitPathSegments(path: string): string[] | undefined {
  if (path.includes('%')) return undefined;
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return undefined;
  const last = segments.length - 1;
  if (last >= 0 && segments[last]!.length > 4 && segments[last]!.endsWith('.git')) segments[last] = segments[last]!.slice(0, -4);
  return segments;
}

/**
 * Reads a git source URL (one gitUrlProblem accepts) as scheme, host, port and path, the way git
 * reaches it: `https://user@Host:443/org/repo.git`, `ssh://git@host:2222/org/repo`, scp-like
 * `git@host:org/repo`. Userinfo is dropped (never compared, never shown). Returns the reason instead
 * when the URL has parts clients read differently (a second `@` in the authority, a backslash, a
 * query or fragment, an empty or odd port): those can never be matched against an allow-list.
 * Linear in the URL's length.
 */
export function parseGitLocation(url: string): GitLocation | string {
  const problem = gitUrlProblem(url);
  if (problem) return `the URL ${problem}`;
  if (/[\\?#]/.test(url)) return 'has a backslash, a query or a fragment, which git clients read differently';
  const u = URL_FORM.exec(url);
  if (u) {
    const scheme = u[1]!.toLowerCase() as GitScheme;
    const authority = u[2]!;
    const at = authority.lastIndexOf('@');
    if (authority.slice(0, at === -1 ? 0 : at).includes('@')) return 'has more than one "@" before the host, which git clients read differently';
    const hp = normalizeGitHost(authority.slice(at + 1));
    if (!hp) return 'names a host that is not a plain DNS name, IP address or port';
    return { scheme, host: hp.host, port: hp.port ?? GIT_DEFAULT_PORTS[scheme], ...withSegments(u[3]!) };
  }
  const s = SCP_PARTS.exec(url);
  const hp = s && normalizeGitHost(s[1]!);
  if (!s || !hp) return 'names a host that is not a plain DNS name';
  return { scheme: 'ssh', host: hp.host, port: GIT_DEFAULT_PORTS.ssh, ...withSegments(s[2]!) };
}

function withSegments(path: string): { segments?: string[] } {
  const segments = gitPathSegments(path);
  return segments ? { segments } : {};
}

/** How a location is shown in a refusal: scheme, host, port when not the default, path; never userinfo. */
export function showGitLocation(l: GitLocation): string {
  const port = l.port === GIT_DEFAULT_PORTS[l.scheme] ? '' : `:${l.port}`;
  return `${l.scheme}://${l.host}${port}${l.segments ? `/${l.segments.join('/')}` : ''}`;
}
