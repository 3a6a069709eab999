import { isIP } from 'node:net';
import { configError, WorkbayError, type FieldError } from '../errors';
import { addressRefusal } from '../webhooks/address-guard';

/** The host a Feature reference is fetched from: an OCI registry or a tarball URL; undefined for local ones. */
export function featureHost(ref: string): string | undefined {
  if (ref.startsWith('./') || ref.startsWith('../') || ref.startsWith('/')) return undefined;
  if (/^https?:\/\//i.test(ref)) {
    try {
      return new URL(ref).hostname.replace(/^\[|\]$/g, '');
    } catch {
      return undefined;
    }
  }
  const first = ref.split('/')[0] ?? '';
  return first.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') || undefined;
}

/**
 * Feature references are written by users, and fetching them is the control plane making requests:
 * a reference to a loopback, private or link-local address (an internal service, the cloud metadata
 * endpoint) is refused unless the deployment allows loopback registries (embedded tests). Names are
 * not resolved here; admins who need more restrict Feature sources with the policy's `images`.
 *
 * @throws WorkbayError `policy.denied` naming each refused Feature.
 */
export function assertFeatureSourcesPublic(refs: string[], allowLoopback: boolean): void {
  const errors: FieldError[] = [];
  for (const ref of refs) {
    const host = featureHost(ref);
    if (!host) continue;
    const why = isIP(host) ? addressRefusal(host, { allowLoopback })
      : (host === 'localhost' || host.endsWith('.localhost')) && !allowLoopback ? 'localhost is not a public address' : undefined;
    if (why) errors.push({ field: `devcontainer.features["${ref}"]`, message: `fetched from ${host}: ${why}`, rule: 'policy.featureSources' });
  }
  if (errors.length) throw new WorkbayError('policy.denied', `Features from addresses the control plane may not call: ${errors.map((e) => e.field).join(', ')}`, { errors });
}

/**
 * The shell function `workbay_real FOLDER` for a helper that sees the workspace source at `root`: it
 * resolves the symlinks on the way to FOLDER (`cd -P`, POSIX, no `realpath` needed) and prints its
 * real path below `root` with a leading `/` (`` for the root itself, exit 0), or exits 3 when there is
 * no such folder. A real path outside `root` is exit 4, printing the shortest leading part of FOLDER
 * that leaves it: the symlink. Both drivers run it before they read a local Feature folder (ADR 0014).
 */
export function realFolderFunction(root: string): string {
  return [
    'workbay_real() {',
    `  root=$(cd -P ${root} && pwd -P) || exit 1`,
    `  real=$(cd -P -- "${root}/$1" 2>/dev/null && pwd -P) || exit 3`,
    '  case "$real/" in "$root"/*) printf %s "${real#"$root"}"; return 0;; esac',
    '  p=; IFS=/; set -f',
    `  for part in $1; do p="\${p:+$p/}$part"; r=$(cd -P -- "${root}/$p" 2>/dev/null && pwd -P); case "$r/" in "$root"/*) ;; *) printf %s "$p"; exit 4;; esac; done`,
    '  exit 4',
    '}',
  ].join('\n');
}

/**
 * The refusal of a local Feature folder whose real path leaves the workspace source (an uploaded
 * folder or a git clone; the drivers resolve the path in a helper first, ADR 0014);
 * `link` is the symlink on the way, when known.
 */
export function sourceSymlinkRefusal(folder: string, link?: string, source: 'upload' | 'git' = 'upload'): WorkbayError {
  const [whole, short] = source === 'git' ? ['the repository', 'the repository'] : ['the uploaded folder', 'the upload'];
  return configError(`the folder ${folder} leads outside ${whole} through ${link && link !== folder ? `the symlink ${link}` : 'a symlink'}`, [
    { field: 'features', message: `${folder} must be a folder inside ${short}, not reached through a symlink that leaves it` },
  ]);
}
