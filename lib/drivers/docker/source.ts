import { posix } from 'node:path';
import type Docker from 'dockerode';
import { isWorkbayError, WorkbayError } from '../../errors';
import { realFolderFunction, sourceSymlinkRefusal } from '../../features/source-guard';
import { objectName, type DriverWorkspace, type Progress } from '../driver';
import tar from 'tar-stream';
import { readFileFrom, stripFirstDir } from './archive';
import { workspaceLabels } from './container-spec';
import { engine, isMissing } from './errors';
import { ensureImage } from './image';
import type { UploadReader } from '../../uploads';
import type { WorkspaceSource } from '../../workspaces/model';

const MOUNT = '/workspace';
/** Where the reference CLI looks for devcontainer.json, in order. */
const CANDIDATES = ['.devcontainer/devcontainer.json', '.devcontainer.json'];

/**
 * Helper containers (git clone, upload placement, file reads) run this image on this network;
 * `uploads` reads the archives of `upload` sources (absent where the control plane keeps none).
 */
export interface HelperSettings {
  image: string; network?: string; uploads?: UploadReader;
  /** `git clone` options from the provider's policy (lib/policy gitCloneOptions), before `--`. */
  gitOptions?: string[];
}

/** True when the source is a file tree in the volume (a git clone or an uploaded folder), not just an image. */
export const hasSourceTree = (source: WorkspaceSource): boolean => 'git' in source || 'upload' in source;

async function removeIfThere(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getContainer(name).remove({ force: true, v: false });
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/** Runs a helper container to completion with the workspace volume mounted; returns exit code and output. */
async function runHelper(docker: Docker, ws: DriverWorkspace, h: HelperSettings, role: string, cmd: string[]) {
  const name = `${objectName(ws.id)}-${role}`;
  await engine('removing an old helper', () => removeIfThere(docker, name));
  const c = await engine('creating a helper container', () => docker.createContainer({
    name, Image: h.image, Cmd: cmd, Labels: { ...workspaceLabels(ws), 'workbay.dev/helper': role },
    HostConfig: { Mounts: [{ Type: 'volume', Source: objectName(ws.id), Target: MOUNT }], ...(h.network ? { NetworkMode: h.network } : {}) },
  }));
  try {
    await engine('starting a helper container', () => c.start());
    const res = (await engine('waiting for a helper container', () => c.wait())) as { StatusCode: number };
    const logs = (await c.logs({ stdout: true, stderr: true })) as unknown as Buffer;
    return { exitCode: res.StatusCode, output: demuxText(logs) };
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/** Text of a non-TTY log buffer (8-byte frame headers stripped). */
export function demuxText(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}

async function ensureHelperImage(docker: Docker, h: HelperSettings, progress: Progress, why: string): Promise<void> {
  try {
    await ensureImage(docker, h.image, progress);
  } catch (err) {
    if (!isWorkbayError(err, 'driver.imageUnavailable')) throw err;
    // The default (alpine/git) needs a registry; an offline engine needs an image it already has.
    throw new WorkbayError('driver.imageUnavailable', `the git helper image "${h.image}" is not on the engine and could not be pulled, so ${why}; set WORKBAY_HELPER_IMAGE to an image with git (and /bin/sh) that this engine has. ${err.message}`, { cause: err });
  }
}

/**
 * Places an uploaded folder into the workspace volume through the archive API of a created, never
 * started container, unless an earlier attempt already did (the volume is not empty: a container
 * removed outside workbay must not lose the edits made in its folder since).
 */
async function placeUpload(docker: Docker, ws: DriverWorkspace, h: HelperSettings, progress: Progress, upload: { id: string; size?: number }): Promise<void> {
  if (!h.uploads) throw new WorkbayError('driver.sourceFailed', 'this control plane keeps no uploads, so the uploaded folder cannot be placed');
  await ensureHelperImage(docker, h, progress, 'the uploaded folder cannot be placed');
  // ls alone: helper images may have little more than git and a shell.
  const have = await runHelper(docker, ws, h, 'upload', ['ls', '-A', MOUNT]);
  if (have.exitCode === 0 && have.output.trim()) return;
  progress({ step: 'source', message: `placing the uploaded folder${upload.size !== undefined ? ` (${upload.size} bytes)` : ''}` });
  const archive = await h.uploads.open(upload.id).catch((err: unknown) => {
    throw new WorkbayError('driver.sourceFailed', `the uploaded folder is gone (${(err as Error).message}); delete the workspace and run workbay up ./folder again`, { cause: err });
  });
  try {
    await withReader(docker, ws, h, (c) => engine('placing the uploaded folder', () => c.putArchive(archive, { path: MOUNT })));
  } finally {
    archive.destroy();
  }
  progress({ step: 'source', message: 'folder in place' });
}

/** Fills the workspace volume: a git source is cloned, an uploaded folder is unpacked; unless an earlier attempt already did. */
export async function cloneSource(docker: Docker, ws: DriverWorkspace, h: HelperSettings, progress: Progress): Promise<void> {
  if ('upload' in ws.source) return placeUpload(docker, ws, h, progress, ws.source.upload);
  if (!('git' in ws.source)) return;
  const { url, ref } = ws.source.git;
  await ensureHelperImage(docker, h, progress, 'the repository cannot be cloned');
  const have = await runHelper(docker, ws, h, 'git', ['git', '-C', MOUNT, 'rev-parse', '--verify', 'HEAD']);
  if (have.exitCode === 0) return;
  progress({ step: 'source', message: `cloning ${url}${ref ? ` (${ref})` : ''}` });
  const script = 'find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf {} + ; shift; exec git clone "$@"';
  const args = [...(h.gitOptions ?? []), ...(ref ? ['--branch', ref] : []), '--', url, MOUNT];
  const r = await runHelper(docker, ws, h, 'git', ['/bin/sh', '-c', script, 'sh', MOUNT, ...args]);
  if (r.exitCode !== 0) {
    throw new WorkbayError('driver.sourceFailed', `git clone of ${url} failed (exit ${r.exitCode}): ${r.output.trim().slice(-1500)}`);
  }
  progress({ step: 'source', message: 'clone done' });
}

/** A created-but-never-started container over the volume, for reading files through the archive API. */
async function withReader<T>(docker: Docker, ws: DriverWorkspace, h: HelperSettings, fn: (c: Docker.Container) => Promise<T>): Promise<T> {
  const name = `${objectName(ws.id)}-reader`;
  await engine('removing an old reader', () => removeIfThere(docker, name));
  const c = await engine('creating a reader container', () => docker.createContainer({
    name, Image: h.image, Cmd: ['true'], Labels: { ...workspaceLabels(ws), 'workbay.dev/helper': 'reader' },
    HostConfig: { Mounts: [{ Type: 'volume', Source: objectName(ws.id), Target: MOUNT }], NetworkMode: 'none' },
  }));
  try {
    return await fn(c);
  } finally {
    await c.remove({ force: true }).catch(() => undefined);
  }
}

/**
 * Reads devcontainer.json from the cloned repo: the workspace's `devcontainerPath`, else the spec's
 * search order (`.devcontainer/devcontainer.json`, `.devcontainer.json`, then the one
 * `.devcontainer/<name>/devcontainer.json`; several of those is a choice the user must make).
 * Undefined when the repo has none.
 */
export async function readRepoDevcontainer(docker: Docker, ws: DriverWorkspace, h: HelperSettings): Promise<{ text: string; configDir: string } | undefined> {
  return withReader(docker, ws, h, async (c) => {
    const read = async (rel: string) => {
      const f = await engine('reading devcontainer.json', () => readFileFrom(c, `${MOUNT}/${rel}`));
      return f && { text: f.content.toString('utf8'), configDir: posix.dirname(rel) };
    };
    if (ws.devcontainerPath) {
      const chosen = await read(ws.devcontainerPath);
      if (!chosen) throw new WorkbayError('driver.sourceFailed', `the repository has no ${ws.devcontainerPath} (devcontainerPath)`);
      return chosen;
    }
    for (const rel of CANDIDATES) {
      const found = await read(rel);
      if (found) return found;
    }
    const nested = await engine('listing .devcontainer', () => listNestedConfigs(c));
    if (nested.length > 1) {
      throw new WorkbayError('config.invalid', `the repository has ${nested.length} dev container configurations; choose one with devcontainerPath: ${nested.join(', ')}`, {
        errors: [{ field: 'devcontainerPath', message: `one of ${nested.join(', ')}` }],
      });
    }
    return nested[0] ? read(nested[0]) : undefined;
  });
}

/** `.devcontainer/<name>/devcontainer.json` files of the repo, sorted. */
async function listNestedConfigs(c: Docker.Container): Promise<string[]> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await c.getArchive({ path: `${MOUNT}/.devcontainer` });
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
  const found: string[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, body, next) => {
    const parts = header.name.split('/').filter(Boolean);
    if (header.type === 'file' && parts.length === 3 && parts[2] === 'devcontainer.json') found.push(parts.join('/'));
    body.on('end', next);
    body.resume();
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', (e) => extract.destroy(e as Error));
    stream.pipe(extract);
  });
  return found.sort();
}

/** Reads a folder of the workspace source (a local Feature) as an engine archive; undefined when it is absent. */
export async function readSourceFolder<T>(docker: Docker, ws: DriverWorkspace, h: HelperSettings, rel: string, fn: (tar: NodeJS.ReadableStream) => Promise<T>): Promise<T | undefined> {
  return withReader(docker, ws, h, async (c) => {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await c.getArchive({ path: posix.join(MOUNT, rel) });
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    return fn(archive);
  });
}

/** Resolves the symlinks on the way to `$1` of the source in the volume (realFolderFunction, ADR 0014). */
const REAL_SOURCE_FOLDER = `${realFolderFunction(MOUNT)}\nworkbay_real "$1"`;

/**
 * Reads a local Feature folder of the source (an uploaded folder or a git clone) as readSourceFolder
 * does, after resolving the symlinks on the way in a helper: the archive API resolves them itself, in
 * the reader's root filesystem (Docker) or in the volume (Podman), and does not say that it did. A
 * link that stays in the source is followed; links inside the folder stay links (filesFromTar skips them).
 *
 * @throws WorkbayError `config.invalid` naming the folder and the symlink when the folder's real path leaves the source.
 */
export async function readFeatureFolder<T>(docker: Docker, ws: DriverWorkspace, h: HelperSettings, rel: string, fn: (tar: NodeJS.ReadableStream) => Promise<T>): Promise<T | undefined> {
  const r = await runHelper(docker, ws, h, 'features', ['/bin/sh', '-c', REAL_SOURCE_FOLDER, 'sh', rel]);
  if (r.exitCode === 3) return undefined;
  if (r.exitCode === 4) {
    throw sourceSymlinkRefusal(rel, r.output || undefined, 'upload' in ws.source ? 'upload' : 'git');
  }
  if (r.exitCode !== 0) {
    throw new WorkbayError('driver.sourceFailed', `resolving the local Feature folder ${rel} of the workspace source failed (exit ${r.exitCode}; the helper image ${h.image} needs /bin/sh): ${r.output.trim().slice(-500)}`);
  }
  return readSourceFolder(docker, ws, h, r.output, fn);
}

/** Streams a build context out of the volume; the Dockerfile path comes back relative to it. */
export async function buildContext<T>(docker: Docker, ws: DriverWorkspace, h: HelperSettings, configDir: string, context: string, dockerfile: string, fn: (tar: NodeJS.ReadableStream, dockerfile: string) => Promise<T>): Promise<T> {
  const ctxDir = posix.normalize(posix.join(configDir, context));
  const file = posix.relative(ctxDir, posix.join(configDir, dockerfile));
  if (ctxDir.startsWith('..') || file.startsWith('..')) {
    throw new WorkbayError('config.invalid', 'build.context and build.dockerfile must stay inside the workspace source');
  }
  return withReader(docker, ws, h, async (c) => {
    const archive = await engine('reading the build context', () => c.getArchive({ path: posix.join(MOUNT, ctxDir) }));
    return fn(stripFirstDir(archive), file);
  });
}
