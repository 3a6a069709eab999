import { posix } from 'node:path';
import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import { filesFromTar, MAX_FEATURE_BYTES, realFolderFunction, sourceSymlinkRefusal, type FeatureFiles } from '../../features';
import type { DriverWorkspace } from '../driver';
import { BUILD_CONTEXT_DIR, featuresPodSpec } from './builders';
import type { KubeClients } from './client';
import { kube } from './errors';
import { podExecBytes } from './exec';
import { kubeNames } from './names';
import { deletePod, waitForPod } from './pods';

/**
 * Archives the folder `$1` of the source in the PVC after resolving the symlinks on the way
 * (realFolderFunction): missing is exit 3, a real path out of /workspace exit 4 with the symlink on
 * stderr. An uploaded folder is read with `tar` (which placing it already needed), a clone's with
 * `git archive` of the committed tree at the real path (the git image need not have `tar`); links
 * inside the folder stay links either way (filesFromTar skips them).
 */
const archiveFolder = (reader: string) => `${realFolderFunction('/workspace')}
rel=$(workbay_real "$1"); rc=$?
[ $rc -eq 0 ] || { printf %s "$rel" >&2; exit $rc; }
${reader}`;
const TAR_UPLOADED_FOLDER = archiveFolder('exec tar -C "/workspace$rel" -cf - .');
const GIT_ARCHIVE_FOLDER = archiveFolder('exec git -C /workspace archive --format=tar "HEAD:${rel#/}"');

/**
 * The helper pod that moves Feature bytes in and out of the PVC: local Feature folders are read from
 * the clone with `git archive` (the git image has git, not always tar) or, for an uploaded folder,
 * with `tar` (which placing the upload already needed), and the generated build context is written
 * file by file through exec stdin (no payload in a shell string). Started on first use, removed with `close()`.
 */
export class FeaturesPod {
  private started: Promise<string> | undefined;

  constructor(private readonly k: KubeClients, private readonly ws: DriverWorkspace, private readonly agent: KubernetesAgent, private readonly gitImage: string) {}

  private ready(): Promise<string> {
    this.started ??= (async () => {
      const body = featuresPodSpec(this.ws, this.agent, this.k.namespace, this.gitImage);
      const name = body.metadata!.name!;
      await deletePod(this.k.core, this.k.namespace, name, this.k.timings);
      await kube('creating the Features helper pod', () => this.k.core.createNamespacedPod({ namespace: this.k.namespace, body }));
      await waitForPod(this.k.core, this.k.namespace, name, 'Running', this.k.timings.podStartTimeoutMs, this.k.timings.podPollMs);
      return name;
    })();
    return this.started;
  }

  private async exec(argv: string[], stdin?: Buffer) {
    return podExecBytes(this.k.kc, this.k.namespace, await this.ready(), 'features', argv, { stdin, maxBytes: MAX_FEATURE_BYTES });
  }

  /**
   * A folder of the source (relative to its root), or undefined when there is none: for git the
   * committed tree, for an uploaded folder what was placed into the PVC.
   *
   * @throws WorkbayError `config.invalid` when an uploaded folder's path leads out of it through a symlink.
   */
  async readFolder(path: string): Promise<FeatureFiles | undefined> {
    const uploaded = 'upload' in this.ws.source;
    const r = await this.exec(['/bin/sh', '-c', uploaded ? TAR_UPLOADED_FOLDER : GIT_ARCHIVE_FOLDER, 'sh', path]);
    if (r.overflow) throw new WorkbayError('driver.sourceFailed', `the folder ${path} is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MiB`);
    if (r.exitCode === 3) return undefined;
    if (r.exitCode === 4) throw sourceSymlinkRefusal(path, r.stderr.trim() || undefined, uploaded ? 'upload' : 'git');
    // A folder git does not have at HEAD (untracked, or ignored) is none, as before the path was resolved.
    if (!uploaded) return r.exitCode === 0 ? filesFromTar(r.stdout) : undefined;
    if (r.exitCode !== 0) {
      throw new WorkbayError('driver.sourceFailed', `reading the local Feature folder ${path} of the uploaded folder failed (exit ${r.exitCode}; the helper image ${this.gitImage} needs tar): ${r.stderr.trim().slice(-500)}`);
    }
    return filesFromTar(r.stdout);
  }

  /**
   * Writes `files` under `<context dir>/<name>` in the PVC, after removing earlier contexts.
   *
   * @returns the folder as the buildkit pod sees it.
   */
  async writeContext(name: string, files: FeatureFiles): Promise<string> {
    const dir = posix.join(BUILD_CONTEXT_DIR, name);
    const clean = await this.exec(['/bin/sh', '-c', 'rm -rf "$1"/* && mkdir -p "$1/$2"', 'sh', BUILD_CONTEXT_DIR, name]);
    if (clean.exitCode !== 0) throw new WorkbayError('driver.buildFailed', `could not prepare the Features build context: ${clean.stderr.trim().slice(-500)}`);
    for (const [rel, f] of files) {
      const r = await this.exec(['/bin/sh', '-c', 'mkdir -p "${1%/*}" && cat > "$1" && chmod "$2" "$1"', 'sh', posix.join(dir, rel), (f.mode & 0o777).toString(8)], f.content);
      if (r.exitCode !== 0) throw new WorkbayError('driver.buildFailed', `could not write ${rel} of the Features build context: ${r.stderr.trim().slice(-500)}`);
    }
    return dir;
  }

  async close(): Promise<void> {
    if (!this.started) return;
    await this.started.catch(() => undefined);
    await deletePod(this.k.core, this.k.namespace, kubeNames(this.ws.id).features, this.k.timings).catch(() => undefined);
  }
}
