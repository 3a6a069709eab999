import { createHash } from 'node:crypto';
import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import type { DriverWorkspace, Progress } from '../driver';
import { sourcePodSpec } from './builders';
import type { KubeClients } from './client';
import { deletePod, runHelperPod, waitForPod } from './pods';
import { kube } from './errors';
import { podExecBytes } from './exec';
import type { UploadReader } from '../../uploads';

/** What the source pod found in the repository. */
export interface RepoInfo { commit: string; devcontainer?: { text: string; configDir: string } }

/** Parses the source pod's log: `::commit <sha>`, then `::devcontainer <path>` … `::end`. */
export function parseSourceLog(log: string): RepoInfo | undefined {
  const commit = /^::commit ([0-9a-f]{40})$/m.exec(log)?.[1];
  if (!commit) return undefined;
  const choices = /^::choices (.+)$/m.exec(log)?.[1]?.trim().split(/\s+/);
  if (choices) {
    throw new WorkbayError('config.invalid', `the repository has ${choices.length} dev container configurations; choose one with devcontainerPath: ${choices.join(', ')}`, {
      errors: [{ field: 'devcontainerPath', message: `one of ${choices.join(', ')}` }],
    });
  }
  const m = /^::devcontainer (\S+)\n([\s\S]*?)\n::end$/m.exec(log);
  if (!m) return { commit };
  const path = m[1]!;
  return { commit, devcontainer: { text: m[2]!, configDir: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.' } };
}

/**
 * The spec's search order for devcontainer.json (or `$1`, the workspace's devcontainerPath) in the
 * current folder, printed as the clone pod prints it (builders.ts sourcePodSpec) so parseSourceLog reads both.
 */
const FIND_DEVCONTAINER = [
  'c="$1"',
  'if [ -z "$c" ]; then for f in .devcontainer/devcontainer.json .devcontainer.json; do if [ -f "$f" ]; then c="$f"; break; fi; done; fi',
  'if [ -z "$c" ]; then n=0; list=""; for f in .devcontainer/*/devcontainer.json; do if [ -f "$f" ]; then n=$((n+1)); c="$f"; list="$list $f"; fi; done; if [ "$n" -gt 1 ]; then echo "::choices$list"; c=""; fi; fi',
  'if [ -n "$c" ] && [ -f "$c" ]; then echo "::devcontainer $c"; cat "$c"; echo; echo "::end"; fi',
].join('\n');

/** Unpacks stdin into an empty volume (a volume with files keeps them: the folder was placed before). */
const UNPACK = `set -e\ncd /workspace\nif [ -z "$(ls -A .)" ]; then tar -x -f -; echo "::placed"; else cat > /dev/null; fi\necho "::commit $2"\n${FIND_DEVCONTAINER}`;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Places an uploaded folder into the PVC: the source pod (the helper image, which needs `tar`) waits
 * while the archive is sent to `tar -x` over exec stdin, then reports devcontainer.json as a clone does.
 * The content hash stands in for the commit (it names the prebuild).
 */
async function placeUploadInPvc(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, image: string, progress: Progress, uploads: UploadReader | undefined, upload: { id: string; sha256?: string; size?: number }): Promise<RepoInfo> {
  if (!uploads) throw new WorkbayError('driver.sourceFailed', 'this control plane keeps no uploads, so the uploaded folder cannot be placed');
  const archive = await readAll(await uploads.open(upload.id).catch((err: unknown) => {
    throw new WorkbayError('driver.sourceFailed', `the uploaded folder is gone (${(err as Error).message}); delete the workspace and run workbay up ./folder again`, { cause: err });
  }));
  const base = sourcePodSpec(ws, agent, k.namespace, image, '');
  const container = { ...base.spec!.containers[0]!, command: ['/bin/sh', '-c', 'sleep 600'], env: undefined };
  const body = { ...base, spec: { ...base.spec!, containers: [container] } };
  const name = body.metadata!.name!;
  await deletePod(k.core, k.namespace, name, k.timings);
  await kube('creating the source pod', () => k.core.createNamespacedPod({ namespace: k.namespace, body }));
  try {
    await waitForPod(k.core, k.namespace, name, 'Running', k.timings.podStartTimeoutMs, k.timings.podPollMs);
    const commit = (upload.sha256 ?? createHash('sha256').update(archive).digest('hex')).slice(0, 40);
    const r = await podExecBytes(k.kc, k.namespace, name, 'source', ['/bin/sh', '-c', UNPACK, 'sh', ws.devcontainerPath ?? '', commit], { stdin: archive, maxBytes: 4 * 1024 * 1024 });
    const log = `${r.stdout.toString('utf8')}${r.stderr}`;
    const info = parseSourceLog(log);
    if (r.exitCode !== 0 || !info) {
      throw new WorkbayError('driver.sourceFailed', `placing the uploaded folder failed (exit ${r.exitCode}; the helper image ${image} needs tar): ${log.trim().slice(-1500)}`);
    }
    if (/^::placed$/m.test(log)) progress({ step: 'source', message: `placed the uploaded folder (${archive.length} bytes)` });
    return info;
  } finally {
    await deletePod(k.core, k.namespace, name, k.timings).catch(() => undefined);
  }
}

/** Fills the PVC: clones a git source (skipped when already cloned) or places an uploaded folder, and reads devcontainer.json. */
export async function cloneIntoPvc(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, gitImage: string, progress: Progress, uploads?: UploadReader, gitOptions: string[] = []): Promise<RepoInfo | undefined> {
  if ('upload' in ws.source) return placeUploadInPvc(k, ws, agent, gitImage, progress, uploads, ws.source.upload);
  if (!('git' in ws.source)) return undefined;
  const { url, ref } = ws.source.git;
  progress({ step: 'source', message: `cloning ${url}${ref ? ` (${ref})` : ''}` });
  const r = await runHelperPod(k.core, k.namespace, sourcePodSpec(ws, agent, k.namespace, gitImage, url, ref, gitOptions), k.timings.helperPodTimeoutMs, k.timings);
  const info = parseSourceLog(r.log);
  if (r.phase !== 'Succeeded' || !info) {
    throw new WorkbayError('driver.sourceFailed', `git clone of ${url} failed: ${r.log.trim().slice(-1500) || r.phase}`);
  }
  progress({ step: 'source', message: `at commit ${info.commit.slice(0, 12)}` });
  return info;
}
