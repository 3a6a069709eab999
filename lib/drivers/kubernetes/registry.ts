import { WorkbayError } from '../../errors';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json', 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json', 'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Splits `host[:port]/path` into registry host and repository path (Docker Hub when there is no host). */
export function parseRepository(repo: string): { host: string; path: string } {
  const [first, ...rest] = repo.split('/');
  if (rest.length && (first!.includes('.') || first!.includes(':') || first === 'localhost')) return { host: first!, path: rest.join('/') };
  return { host: 'registry-1.docker.io', path: rest.length ? repo : `library/${repo}` };
}

/**
 * True when the registry has `repo:tag` (the prebuild exists). Loopback registries are spoken to over
 * plain HTTP, as Docker does; others over HTTPS. Registries needing auth are not supported yet.
 */
export async function tagExists(repo: string, tag: string): Promise<boolean> {
  const { host, path } = parseRepository(repo);
  const scheme = /^(localhost|127\.|\[::1\])/.test(host) ? 'http' : 'https';
  let res: Response;
  try {
    res = await fetch(`${scheme}://${host}/v2/${path}/manifests/${encodeURIComponent(tag)}`, { method: 'HEAD', headers: { accept: ACCEPT }, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new WorkbayError('driver.unreachable', `registry ${host} unreachable while looking for a prebuild (${(err as Error).cause ? String(((err as Error).cause as Error).message) : (err as Error).message})`);
  }
  if (res.status === 200) return true;
  if (res.status === 404) return false;
  throw new WorkbayError('driver.failed', `registry ${host} answered ${res.status} while looking for ${path}:${tag}`);
}
