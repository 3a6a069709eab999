import { createHash } from 'node:crypto';
import { WorkbayError } from '../errors';
import { metadataEntries } from '../policy/asks';
import { Registry } from './oci';
import type { FeatureLoaders } from './types';

/** What a base image says about itself, read from its registry (no engine at hand). */
export interface ImageConfig {
  /** The platform manifest's digest: a moved tag is a new base. */
  id: string;
  user: string;
  env: string[];
  /** Its `devcontainer.metadata` entries. */
  entries: unknown[];
}

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const ACCEPT = [...INDEX_TYPES, 'application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'].join(', ');
/** A base image's registry that does not answer costs a build this long at most. */
const CONFIG_TIMEOUT_MS = 15_000;

/** `host[:port]/path:tag` or `…@sha256:…` as registry, repository and reference (Docker Hub when there is no host). */
export function splitImage(image: string): { registry: string; repository: string; reference: string } {
  const at = image.indexOf('@');
  const lastSlash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const [name, reference] = at >= 0 ? [image.slice(0, at), image.slice(at + 1)] : colon > lastSlash ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
  const [first, ...rest] = name.split('/');
  if (rest.length && (first!.includes('.') || first!.includes(':') || first === 'localhost')) return { registry: first!, repository: rest.join('/'), reference };
  return { registry: 'registry-1.docker.io', repository: rest.length ? name : `library/${name}`, reference };
}

async function json(res: Response, what: string): Promise<{ body: Record<string, unknown>; digest: string }> {
  if (!res.ok) throw new Error(`${what} answered ${res.status}`);
  const text = Buffer.from(await res.arrayBuffer());
  return { body: JSON.parse(text.toString('utf8')) as Record<string, unknown>, digest: res.headers.get('docker-content-digest') ?? `sha256:${createHash('sha256').update(text).digest('hex')}` };
}

/**
 * Reads an image's config (User, Env, the `devcontainer.metadata` label) through the distribution
 * API, choosing `linux/<arch>` from an index, as a cluster node would pull it. Used where the image
 * is built remotely (a buildkit pod) and no engine can be asked.
 *
 * @throws WorkbayError `driver.unreachable` when the registry cannot be read (the caller decides
 *   whether to go on without the facts).
 */
export async function readImageConfig(image: string, arch: string, loaders: Pick<FeatureLoaders, 'credentials' | 'fetch'> = {}): Promise<ImageConfig> {
  const { registry, repository, reference } = splitImage(image);
  const client = new Registry({ written: image, canonical: image, source: { kind: 'oci', registry, repository, reference } }, {
    ...loaders, fetch: (url, init) => (loaders.fetch ?? fetch)(url, { ...init, signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) }),
  });
  try {
    let m = await json(await client.get(`manifests/${reference}`, ACCEPT), `the manifest of ${image}`);
    if (INDEX_TYPES.includes(String(m.body.mediaType)) || Array.isArray(m.body.manifests)) {
      const list = (m.body.manifests ?? []) as { digest?: string; platform?: { os?: string; architecture?: string } }[];
      const pick = list.find((x) => x.platform?.os === 'linux' && x.platform.architecture === arch);
      if (!pick?.digest) throw new Error(`${image} has no linux/${arch} image`);
      m = await json(await client.get(`manifests/${pick.digest}`, ACCEPT), `the ${arch} manifest of ${image}`);
    }
    const configDigest = (m.body.config as { digest?: string } | undefined)?.digest;
    if (!configDigest) throw new Error(`the manifest of ${image} names no config`);
    const cfg = (await json(await client.get(`blobs/${configDigest}`, '*/*'), `the config of ${image}`)).body as { config?: { User?: string; Env?: string[]; Labels?: Record<string, string> } };
    const c = cfg.config ?? {};
    return { id: m.digest, user: c.User ?? '', env: c.Env ?? [], entries: metadataEntries(c.Labels?.['devcontainer.metadata']).entries };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    throw new WorkbayError('driver.unreachable', `could not read the configuration of ${image} from ${registry}: ${e.cause?.message ?? e.message}`);
  }
}
