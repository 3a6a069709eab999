import { posix } from 'node:path';
import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import { filesFromTar, MAX_FEATURE_BYTES, sourceSymlinkRefusal, type FeatureFiles } from '../../features';
import type { DriverWorkspace } from '../driver';
import { BUILD_CONTEXT_DIR, featuresPodSpec } from './builders';
import type { KubeClients } from './client';
import { kube } from './errors';
import { podExecBytes } from './exec';
import { kubeNames } from './names';
import { deletePod, waitForPod } from './pods';

/**
 * Archives the folder `$1` of an uploaded folder in the PVC. Symlinks on the way are resolved first
 * (`cd -P`, no `realpath` needed) and the result must still be inside /workspace: a Feature folder
 * that is, or sits below, a symlink out of the upload is refused (exit 4); a missing one is exit 3.
 * tar gets the resolved path, and keeps links inside the folder as links (filesFromTar skips them).
 */
const TAR_UPLOADED_FOLDER = [
  'root=$(cd -P /workspace && pwd -P) || exit 1',
  'real=$(cd -P -- "/workspace/$1" 2>/dev/null && pwd -P) || exit 3',
  'case "$real/" in "$root"/*) ;; *) exit 4;; esac',
  'exec tar -C "$real" -cf - .',
].join('\n');

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
    const r = await this.exec(uploaded ? ['/bin/sh', '-c', TAR_UPLOADED_FOLDER, 'sh', path] : ['git', '-C', '/workspace', 'archive', '--format=tar', `HEAD:${path}`]);
    if (r.overflow) throw new WorkbayError('driver.sourceFailed', `the folder ${path} is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MiB`);
    if (!uploaded) return r.exitCode === 0 ? filesFromTar(r.stdout) : undefined;
    if (r.exitCode === 3) return undefined;
    if (r.exitCode === 4) {
      throw sourceSymlinkRefusal(path);
    }
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
