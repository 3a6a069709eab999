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
