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
 * The refusal of a local Feature folder whose real path leaves the workspace source (an uploaded
 * folder, or on Docker a git clone; the drivers resolve the path in a helper first, ADR 0014);
 * `link` is the symlink on the way, when known.
 */
export function sourceSymlinkRefusal(folder: string, link?: string, source: 'upload' | 'git' = 'upload'): WorkbayError {
  const [whole, short] = source === 'git' ? ['the repository', 'the repository'] : ['the uploaded folder', 'the upload'];
  return configError(`the folder ${folder} leads outside ${whole} through ${link && link !== folder ? `the symlink ${link}` : 'a symlink'}`, [
    { field: 'features', message: `${folder} must be a folder inside ${short}, not reached through a symlink that leaves it` },
  ]);
}
