import { WorkbayError } from '../errors';
import { filesFromTar, MAX_FEATURE_BYTES } from './files';
import { FETCH_TIMEOUT_MS } from './oci';
import type { FeatureFiles, FeatureLoaders, FeatureRef } from './types';

/** Downloads an https Feature tarball (`devcontainer-feature-<id>.tgz`) and reads its files. */
export async function tarballFiles(ref: FeatureRef & { source: { kind: 'tarball' } }, loaders: FeatureLoaders): Promise<FeatureFiles> {
  const f = loaders.fetch ?? fetch;
  const fail = (why: string) => new WorkbayError('driver.sourceFailed', `Feature "${ref.written}" could not be fetched: ${why}`);
  let res: Response;
  try {
    res = await f(ref.source.url, { redirect: 'follow', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (err) {
    throw fail(`${(err as Error).message}`);
  }
  if (!res.ok) throw fail(`the server answered ${res.status}`);
  if (Number(res.headers.get('content-length') ?? 0) > MAX_FEATURE_BYTES) throw fail(`it is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MiB`);
  let body: Buffer;
  try {
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    throw fail(`downloading it failed (${(err as Error).message})`);
  }
  try {
    return await filesFromTar(body);
  } catch (err) {
    throw fail(`it is not a (gzipped) tar: ${(err as Error).message}`);
  }
}
