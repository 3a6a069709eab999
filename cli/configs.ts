import { UsageError, type Parsed } from './args';
import { table } from './format';
import type { Client } from './http';

const USAGE = 'usage: workbay configs <git-url[#ref]> --provider P [--output json]';

/** GET /v1/providers/{name}/devcontainers, as the server answers it. */
export interface ConfigListingView {
  items: { path: string; name?: string }[];
  default?: string;
  truncated?: boolean;
}

/** `git-url#ref` as `up` reads it: the last `#` separates a branch or tag. */
function splitRef(arg: string): { url: string; ref?: string } {
  const hash = arg.lastIndexOf('#');
  if (hash < 0) return { url: arg };
  const ref = arg.slice(hash + 1);
  return { url: arg.slice(0, hash), ...(ref ? { ref } : {}) };
}

/**
 * `workbay configs <git-url> --provider P`: the dev container configurations of a repository, in
 * the spec's search order, so one can be chosen with `workbay up … --config PATH`.
 */
export async function configsCommand(client: Client, args: string[], flags: Parsed): Promise<string> {
  const [source, extra] = args;
  if (!source || extra !== undefined || !flags.provider) throw new UsageError(USAGE);
  const { url, ref } = splitRef(source);
  const query = new URLSearchParams({ git: url, ...(ref ? { ref } : {}) });
  const listing = await client.request<ConfigListingView>('GET', `/v1/providers/${encodeURIComponent(flags.provider)}/devcontainers?${query}`);
  if (flags.output === 'json') return JSON.stringify(listing, null, 2);
  if (!listing.items.length) return 'no dev container configurations found (.devcontainer/devcontainer.json, .devcontainer.json, .devcontainer/<name>/devcontainer.json)';
  const rows = listing.items.map((i) => [i.path, i.name ?? '', i.path === listing.default ? 'yes' : '']);
  const lines = [table(['PATH', 'NAME', 'DEFAULT'], rows)];
  if (listing.truncated) lines.push(`(only the first ${listing.items.length} are listed)`);
  if (!listing.default && listing.items.length > 1) lines.push(`choose one with: workbay up ${source} --provider ${flags.provider} --config PATH`);
  return lines.join('\n');
}
