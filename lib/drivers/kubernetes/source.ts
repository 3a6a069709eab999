import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import type { DriverWorkspace, Progress } from '../driver';
import { sourcePodSpec } from './builders';
import type { KubeClients } from './client';
import { runHelperPod } from './pods';

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

/** Clones a git source into the PVC with a helper pod (skipped when already cloned) and reads devcontainer.json. */
export async function cloneIntoPvc(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, gitImage: string, progress: Progress): Promise<RepoInfo | undefined> {
  if ('upload' in ws.source) {
    // The API refuses these up front; a record from elsewhere gets the same reason instead of an empty volume.
    throw new WorkbayError('config.invalid', 'folder uploads reach Docker providers only so far; on a Kubernetes provider use a git source', {
      errors: [{ field: 'source.upload', message: 'not supported by Kubernetes providers yet' }],
    });
  }
  if (!('git' in ws.source)) return undefined;
  const { url, ref } = ws.source.git;
  progress({ step: 'source', message: `cloning ${url}${ref ? ` (${ref})` : ''}` });
  const r = await runHelperPod(k.core, k.namespace, sourcePodSpec(ws, agent, k.namespace, gitImage, url, ref));
  const info = parseSourceLog(r.log);
  if (r.phase !== 'Succeeded' || !info) {
    throw new WorkbayError('driver.sourceFailed', `git clone of ${url} failed: ${r.log.trim().slice(-1500) || r.phase}`);
  }
  progress({ step: 'source', message: `at commit ${info.commit.slice(0, 12)}` });
  return info;
}
