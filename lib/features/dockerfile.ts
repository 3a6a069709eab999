import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { packFiles } from './files';
import { shellQuote } from './options';
import type { FeatureFiles, ResolvedFeature } from './types';

/** The image Features are installed on. */
export interface FeatureBase {
  /** A reference the engine resolves (tag or name). */
  ref: string;
  /** The image id: part of the content hash, so a rebuilt base means a new Features image. */
  id: string;
  /** The base's own `User` (restored after the Features, which install as root). */
  user: string;
  /** The base's `devcontainer.metadata` entries. */
  entries: unknown[];
}

/** A generated Features build: Dockerfile, context, content hash, and the label of the result. */
export interface FeatureBuild {
  dockerfile: string;
  /** `workbay-features:<hash>`: the same inputs give the same tag, so an existing image is reused. */
  tag: string;
  /** The merged `devcontainer.metadata` entries: the base's, then one per Feature. */
  entries: unknown[];
  /** The context as a tar stream (an engine's build API). */
  context(): Readable;
  /** The context as files, Dockerfile first (for writing it into a volume file by file). */
  files(): FeatureFiles;
}

/** Keys of a Feature's metadata that go into its entry of the image label, as the reference CLI writes it. */
const ENTRY_KEYS = ['init', 'privileged', 'capAdd', 'securityOpt', 'entrypoint', 'mounts', 'customizations',
  'onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand', 'postAttachCommand'] as const;

/** A Feature's entry in the `devcontainer.metadata` label (its id as written, then what it asks for). */
export function featureEntry(f: ResolvedFeature): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.ref.written };
  for (const k of ENTRY_KEYS) if (f.metadata[k] !== undefined) out[k] = f.metadata[k];
  return out;
}

const METADATA_LABEL = 'devcontainer.metadata';

const dockerQuote = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

/**
 * Generates the build that installs `features` (in order) on `base`: per Feature a COPY of its
 * containerEnv as ENV lines (so it, later Features and the container see them), a COPY of its files
 * and one RUN of its install.sh as root with its options (and `_REMOTE_USER`, `_CONTAINER_USER` and
 * their homes) sourced from `devcontainer-features.env`. With `labels`, the Dockerfile ends in LABEL
 * lines for them and the `devcontainer.metadata` entries (for builders that take the context alone,
 * such as buildctl in a cluster).
 */
export function featureBuild(base: FeatureBase, features: ResolvedFeature[], users: { remoteUser?: string; containerUser?: string }, labels?: Record<string, string>): FeatureBuild {
  const entries = [...base.entries, ...features.map(featureEntry)];
  const containerUser = users.containerUser ?? (base.user || 'root');
  const remoteUser = users.remoteUser ?? containerUser;
  const home = (v: string) => `"$(awk -F: -v u="$${v}" '$1==u{print $6}' /etc/passwd 2>/dev/null)"`;
  const lines = [`FROM ${base.ref}`, 'USER root'];
  const dirs = features.map((f, i) => `${i + 1}-${f.metadata.id.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  const envFiles = features.map((f) => [
    ...Object.entries(f.env).map(([k, v]) => `${k}=${shellQuote(v)}`),
    `_CONTAINER_USER=${shellQuote(containerUser.split(':')[0]!)}`, `_REMOTE_USER=${shellQuote(remoteUser.split(':')[0]!)}`,
    `_CONTAINER_USER_HOME=${home('_CONTAINER_USER')}`, `_REMOTE_USER_HOME=${home('_REMOTE_USER')}`, '',
  ].join('\n'));
  features.forEach((f, i) => {
    const dir = `/tmp/workbay-features/${dirs[i]}`;
    // As the reference CLI: a Feature's containerEnv is set before its own install.sh runs.
    for (const [k, v] of Object.entries(f.metadata.containerEnv ?? {})) lines.push(`ENV ${k}=${dockerQuote(String(v))}`);
    lines.push(`COPY .workbay-features/${dirs[i]} ${dir}`);
    lines.push(`RUN echo ${shellQuote(`workbay: installing Feature ${f.ref.written}`)} && cd ${dir} && chmod +x ./install.sh && set -a && . ./devcontainer-features.env && set +a && ./install.sh && cd / && rm -rf ${dir}`);
  });
  if (base.user && base.user !== 'root' && base.user !== '0') lines.push(`USER ${base.user}`);
  // A builder without a label API (buildctl over a plain context) gets them in the Dockerfile; `$` must stay literal.
  const inline: Record<string, string> = labels ? { [METADATA_LABEL]: JSON.stringify(entries), ...labels } : {};
  for (const [k, v] of Object.entries(inline)) lines.push(`LABEL ${k}=${dockerQuote(v).replace(/\$/g, '\\$')}`);
  const dockerfile = `${lines.join('\n')}\n`;
  const hash = createHash('sha256').update(JSON.stringify({ base: base.id, dockerfile, envFiles }));
  features.forEach((f, i) => {
    for (const [name, file] of [...f.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      hash.update(`${dirs[i]}/${name}\0${file.mode}\0`).update(file.content).update('\0');
    }
  });
  return {
    dockerfile,
    tag: `workbay-features:${hash.digest('hex').slice(0, 32)}`,
    entries,
    files: () => {
      const out: FeatureFiles = new Map([['Dockerfile', { content: Buffer.from(dockerfile), mode: 0o644 }]]);
      features.forEach((f, i) => {
        for (const [name, file] of [...f.files].sort(([a], [b]) => (a < b ? -1 : 1))) out.set(`.workbay-features/${dirs[i]}/${name}`, file);
        out.set(`.workbay-features/${dirs[i]}/devcontainer-features.env`, { content: Buffer.from(envFiles[i]!), mode: 0o644 });
      });
      return out;
    },
    context: () => {
      const pack = tar.pack();
      pack.entry({ name: 'Dockerfile', mtime: new Date(0) }, dockerfile);
      features.forEach((f, i) => {
        packFiles(pack, `.workbay-features/${dirs[i]}`, f.files);
        pack.entry({ name: `.workbay-features/${dirs[i]}/devcontainer-features.env`, mode: 0o644, mtime: new Date(0) }, envFiles[i]!);
      });
      pack.finalize();
      return pack as unknown as Readable;
    },
  };
}
