import { posix } from 'node:path';
import { configError } from '../errors';
import type { FeatureRef } from './types';

const OCI = /^(?<registry>[a-z0-9.-]+(?::\d+)?|\[[0-9a-f:]+\](?::\d+)?)\/(?<repository>[a-z0-9._/-]+?)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})|@(?<digest>sha256:[a-f0-9]{64}))?$/;

/**
 * Parses a key of devcontainer.json's `features`:
 * - `./path` or `../path`: a local Feature, relative to the folder of devcontainer.json (`configDir`),
 *   which must stay inside the workspace source;
 * - `https://…/devcontainer-feature-<id>.tgz`: a tarball;
 * - `registry/namespace/id[:tag|@sha256:…]`: an OCI artifact (tag default `latest`).
 *
 * @throws WorkbayError `config.invalid` naming the Feature.
 */
export function parseFeatureRef(written: string, configDir: string): FeatureRef {
  const field = `features["${written}"]`;
  if (written.startsWith('./') || written.startsWith('../')) {
    const path = posix.normalize(posix.join(configDir, written)).replace(/\/+$/, '');
    if (path === '..' || path.startsWith('../') || posix.isAbsolute(path)) {
      throw configError(`Feature "${written}" points outside the workspace source`, [{ field, message: 'a local Feature must be inside the workspace source (the repository or uploaded folder)' }]);
    }
    return { written, source: { kind: 'local', path }, canonical: path };
  }
  if (/^https?:\/\//.test(written)) {
    if (!written.startsWith('https://')) {
      throw configError(`Feature "${written}": tarball Features are fetched over https only`, [{ field, message: 'use an https:// URL' }]);
    }
    return { written, source: { kind: 'tarball', url: written }, canonical: written };
  }
  const m = OCI.exec(written);
  if (!m?.groups || !m.groups.repository!.includes('/')) {
    throw configError(`Feature "${written}" is not a Feature reference`, [{
      field, message: 'expected ./local-folder, https://…/devcontainer-feature-<id>.tgz or registry/namespace/id[:version]',
      hint: 'Short legacy ids (e.g. "node") are not supported; write ghcr.io/devcontainers/features/node:1.',
    }]);
  }
  const { registry, repository, tag, digest } = m.groups;
  return {
    written,
    source: { kind: 'oci', registry: registry!, repository: repository!, reference: digest ?? tag ?? 'latest' },
    canonical: `${registry}/${repository}`,
  };
}

/** The id without version of a reference as dependsOn/installsAfter write it (`ghcr.io/x/y:1` -> `ghcr.io/x/y`). */
export function canonicalId(written: string): string {
  if (written.startsWith('.') || written.startsWith('https://')) return written;
  return written.replace(/@sha256:[a-f0-9]{64}$/, '').replace(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, (tag, offset: number, whole: string) =>
    whole.lastIndexOf('/') < offset ? '' : tag);
}
