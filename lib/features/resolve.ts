import { configError, isWorkbayError, WorkbayError } from '../errors';
import { ociFiles, ociManifest } from './oci';
import { featureOptionsEnv } from './options';
import { installOrder, type OrderNode } from './order';
import { canonicalId, parseFeatureRef } from './reference';
import { tarballFiles } from './tarball';
import type { FeatureFiles, FeatureLoaders, FeatureMetadata, FeatureRef, ResolvedFeature } from './types';

/** `true`, `{}` and nothing all mean "the defaults"; a string is the version option. */
function sameOptions(a: unknown, b: unknown): boolean {
  const norm = (v: unknown) => JSON.stringify(typeof v === 'string' ? { version: v } : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort()) : {});
  return norm(a) === norm(b);
}

/** More Features than this (dependencies included) is a mistake or a loop, not a dev container. */
const MAX_FEATURES = 40;

interface Pending { ref: FeatureRef; given: unknown; listed: boolean; metadata: FeatureMetadata; files?: FeatureFiles; fetchFiles?: () => Promise<FeatureFiles> }

function readMetadata(ref: FeatureRef, files: FeatureFiles): FeatureMetadata {
  const json = files.get('devcontainer-feature.json');
  if (!json) throw new WorkbayError('driver.sourceFailed', `Feature "${ref.written}" has no devcontainer-feature.json`);
  let meta: unknown;
  try {
    meta = JSON.parse(json.content.toString('utf8'));
  } catch (err) {
    throw configError(`Feature "${ref.written}": devcontainer-feature.json is not JSON (${(err as Error).message})`, [{ field: `features["${ref.written}"]`, message: 'devcontainer-feature.json is not JSON' }]);
  }
  return checkMetadata(ref, meta);
}

function checkMetadata(ref: FeatureRef, meta: unknown): FeatureMetadata {
  if (!meta || typeof meta !== 'object' || typeof (meta as FeatureMetadata).id !== 'string') {
    throw configError(`Feature "${ref.written}": devcontainer-feature.json needs an "id"`, [{ field: `features["${ref.written}"]`, message: 'devcontainer-feature.json has no id' }]);
  }
  return meta as FeatureMetadata;
}

async function load(ref: FeatureRef, given: unknown, loaders: FeatureLoaders): Promise<Omit<Pending, 'listed'>> {
  const s = ref.source;
  if (s.kind === 'local') {
    if (!loaders.local) throw configError(`Feature "${ref.written}" is a local folder, and this workspace has no source folder to read it from`, [{ field: `features["${ref.written}"]`, message: 'local Features need a git (or folder) source', hint: 'Publish the Feature to a registry, or use a git source that contains it.' }]);
    const files = await loaders.local(s.path).catch((err: unknown) => {
      // The driver's reader knows the folder, not how devcontainer.json wrote the Feature.
      if (!isWorkbayError(err, 'config.invalid')) throw err;
      throw configError(`Feature "${ref.written}": ${err.message}`, err.errors.map((e) => ({ ...e, field: `features["${ref.written}"]` })));
    });
    if (!files?.size) throw new WorkbayError('driver.sourceFailed', `Feature "${ref.written}" was not found: the source has no folder ${s.path}`);
    return { ref, given, metadata: readMetadata(ref, files), files };
  }
  if (s.kind === 'tarball') {
    const files = await tarballFiles({ ...ref, source: s }, loaders);
    return { ref, given, metadata: readMetadata(ref, files), files };
  }
  const oci = { ...ref, source: s };
  const m = await ociManifest(oci, loaders);
  if (m.metadata) return { ref, given, metadata: checkMetadata(ref, m.metadata), fetchFiles: () => ociFiles(oci, m) };
  const files = await ociFiles(oci, m);
  return { ref, given, metadata: readMetadata(ref, files), files };
}

/**
 * Resolves devcontainer.json's `features` into an install list: each Feature's metadata is read
 * first (for OCI, the manifest's `dev.containers.metadata` annotation), `dependsOn` is followed
 * recursively (a dependency already listed is not installed twice), then files are fetched and the
 * list is put in the spec's install order.
 *
 * @param configDir the folder of devcontainer.json in the source (local references are relative to it).
 * @throws WorkbayError naming the Feature that cannot be had (`driver.sourceFailed`) or is
 *   misconfigured (`config.invalid`).
 */
export async function resolveFeatures(features: Record<string, unknown>, configDir: string, loaders: FeatureLoaders, override?: string[]): Promise<ResolvedFeature[]> {
  const pending: Pending[] = [];
  const queue: [string, unknown, boolean][] = Object.entries(features).filter(([, v]) => v !== false).map(([k, v]) => [k, v, true]);
  const canonicalOf = (written: string) => (written.startsWith('.') ? parseFeatureRef(written, configDir).canonical : canonicalId(written));
  while (queue.length) {
    const [written, given, listed] = queue.shift()!;
    const ref = parseFeatureRef(written, configDir);
    // As the spec and the reference CLI: one Feature with other options is another instance.
    if (pending.some((p) => p.ref.canonical === ref.canonical && sameOptions(p.given, given))) continue;
    if (pending.length >= MAX_FEATURES) throw configError(`more than ${MAX_FEATURES} Features (dependencies included)`, [{ field: 'features', message: 'too many Features' }]);
    const p = { ...(await load(ref, given, loaders)), listed };
    pending.push(p);
    for (const [dep, opts] of Object.entries(p.metadata.dependsOn ?? {})) queue.push([dep, opts, false]);
  }
  const resolved = await Promise.all(pending.map(async (p): Promise<ResolvedFeature & OrderNode> => {
    const files = p.files ?? (await p.fetchFiles!());
    if (!files.has('install.sh')) throw new WorkbayError('driver.sourceFailed', `Feature "${p.ref.written}" has no install.sh`);
    const twice = pending.filter((q) => q.ref.canonical === p.ref.canonical).length > 1;
    return {
      ref: p.ref, metadata: p.metadata, files, env: featureOptionsEnv(p.metadata, p.given, p.ref.written),
      key: twice ? `${p.ref.written} ${JSON.stringify(p.given)}` : p.ref.written,
      canonical: p.ref.canonical,
      aliases: [p.metadata.id, ...(p.metadata.legacyIds ?? [])],
      dependsOn: Object.keys(p.metadata.dependsOn ?? {}).map(canonicalOf),
      installsAfter: (p.metadata.installsAfter ?? []).map(canonicalOf),
      rank: p.listed ? 1 : 0,
    };
  }));
  return installOrder(resolved, override);
}
