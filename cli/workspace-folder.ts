import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { UsageError } from './args';

/** True when a `workbay up` argument names a folder on this machine (`./x`, `../x`, `/x`, `.`). */
export function isLocalFolder(arg: string): boolean {
  if (!/^(\.{1,2}(\/|$)|\/)/.test(arg)) return false;
  try {
    return statSync(arg).isDirectory();
  } catch {
    return false;
  }
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/**
 * `workbay up ./folder --git`: the folder reaches the workspace through its git remote instead of an
 * upload. That is only faithful when the folder is a clean clone whose commit is pushed; otherwise
 * the user is told what to do instead of getting a different tree.
 */
export function folderSource(dir: string): { git: { url: string; ref?: string } } {
  const fail = (why: string) => new UsageError(`workbay up ${dir} --git: ${why}. With --git the folder reaches the workspace through its git remote (see docs/devcontainer.md); commit and push, or leave out --git to upload the folder as it is.`);
  let url: string;
  try {
    url = git(dir, 'remote', 'get-url', 'origin');
  } catch {
    throw fail('it is not a git clone with an "origin" remote');
  }
  if (git(dir, 'status', '--porcelain', '--untracked-files=normal') !== '') throw fail('it has uncommitted or untracked changes');
  const branch = git(dir, 'rev-parse', '--abbrev-ref', 'HEAD');
  let pushed = '';
  try {
    pushed = git(dir, 'branch', '-r', '--contains', 'HEAD');
  } catch { /* no remote branches */ }
  if (branch === 'HEAD' || pushed === '') throw fail('its commit is not on a branch of the remote');
  return { git: { url, ref: branch } };
}
