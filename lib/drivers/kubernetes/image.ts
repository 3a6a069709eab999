import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { KubernetesAgent } from '../../config';
import { imageReferenceProblem } from '../../config/image-ref';
import { WorkbayError } from '../../errors';
import type { ResolvedDevcontainer } from '../devcontainer';
import type { DriverWorkspace, Progress } from '../driver';
import { archPodSpec, buildkitPodSpec } from './builders';
import type { KubeClients } from './client';
import { kube } from './errors';
import { podExec } from './exec';
import { deletePod, runHelperPod, waitForPod } from './pods';
import { tagExists } from './registry';

/** Node architecture in Kubernetes' spelling, from `uname -m`. */
export function normaliseArch(machine: string): string {
  const m = machine.trim().toLowerCase();
  if (m === 'x86_64' || m === 'amd64') return 'amd64';
  if (m.startsWith('aarch64') || m.startsWith('arm64')) return 'arm64';
  if (m.startsWith('arm')) return 'arm';
  return m;
}

/**
 * The cluster's architecture: the provider's `architecture`, else the first node's
 * `kubernetes.io/arch` label, else (nodes not readable, e.g. 403) a helper pod from `helperImage`.
 */
export async function clusterArch(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, progress: Progress): Promise<string> {
  if (agent.architecture) return agent.architecture;
  try {
    const nodes = await kube('listing nodes', () => k.core.listNode({ limit: 1 }));
    const arch = nodes.items[0]?.metadata?.labels?.['kubernetes.io/arch'];
    if (arch) return arch;
  } catch { /* nodes are often not readable to workspace credentials: ask a pod instead */ }
  progress({ step: 'build', message: `detecting the cluster architecture with ${agent.helperImage || 'alpine'}` });
  const r = await runHelperPod(k.core, k.namespace, archPodSpec(ws, agent, k.namespace), k.timings.archProbeTimeoutMs, k.timings);
  if (r.phase !== 'Succeeded' || !r.log.trim()) throw new WorkbayError('driver.failed', `architecture detection pod ended ${r.phase}: ${r.log.trim().slice(0, 300)}`);
  return normaliseArch(r.log);
}

/** The prebuild tag: a hash of what decides the image (arch, build config, source commit), as DevPod does. */
export function prebuildTag(arch: string, r: ResolvedDevcontainer, commit: string): string {
  const h = createHash('sha256').update(JSON.stringify({ arch, build: r.config.build, configDir: r.configDir, commit })).digest('hex');
  return `workbay-${h.slice(0, 32)}`;
}

/**
 * The image of a workspace: `image` as is; for a Dockerfile, `<buildRepository>:<prebuild tag>`,
 * reused when the registry has it, else built in a buildkit pod and pushed.
 */
export async function resolveImage(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, r: ResolvedDevcontainer, commit: string | undefined, progress: Progress): Promise<string> {
  if (r.config.image) {
    // Checked again after `${localEnv:…}` substitution; a pod with such an image would only wait forever.
    const problem = imageReferenceProblem(r.config.image);
    if (problem) throw new WorkbayError('config.invalid', `image: ${problem.message}`, { errors: [{ field: 'image', message: problem.message, ...(problem.hint ? { hint: problem.hint } : {}) }] });
    return r.config.image;
  }
  if (!commit) {
    throw new WorkbayError('config.invalid', 'a Dockerfile-based devcontainer needs a git source: the repository is the build context', {
      errors: [{ field: 'devcontainer.build', message: 'use source.git, or an image-based devcontainer.json' }],
    });
  }
  if (!agent.buildRepository) {
    throw new WorkbayError('config.invalid', 'this devcontainer.json needs an image build, but the provider has no buildRepository', {
      errors: [{ field: 'agent.kubernetes.buildRepository', message: 'set buildRepository (e.g. registry.example.com/workspaces) to build and push images, or use an image-based devcontainer.json' }],
    });
  }
  const arch = await clusterArch(k, ws, agent, progress);
  const image = `${agent.buildRepository}:${prebuildTag(arch, r, commit)}`;
  if (await tagExists(agent.buildRepository, image.split(':').pop()!)) {
    progress({ step: 'build', message: `using prebuild ${image}` });
    return image;
  }
  await buildInCluster(k, ws, agent, r, image, progress);
  return image;
}

/** What one buildctl run builds: its context and Dockerfile folders as the buildkit pod sees them. */
export interface BuildctlInput {
  context: string;
  dockerfileDir: string;
  filename: string;
  target?: string;
  args?: Record<string, string>;
}

/** The buildctl argv that builds `input` and pushes it as `image` (loopback registries over plain http). */
export function buildctlArgv(input: BuildctlInput, image: string): string[] {
  const insecure = /^(localhost|127\.|\[::1\])/.test(image) ? ',registry.insecure=true' : '';
  return ['buildctl', 'build', '--frontend', 'dockerfile.v0', '--local', `context=${input.context}`, '--local', `dockerfile=${input.dockerfileDir}`,
    '--opt', `filename=${input.filename}`, ...(input.target ? ['--opt', `target=${input.target}`] : []),
    ...Object.entries(input.args ?? {}).flatMap(([key, v]) => ['--opt', `build-arg:${key}=${v}`]),
    '--output', `type=image,name=${image},push=true${insecure}`];
}

async function buildInCluster(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, r: ResolvedDevcontainer, image: string, progress: Progress): Promise<void> {
  const b = r.config.build!;
  const file = posix.join('/workspace', r.configDir, b.dockerfile);
  const input = { context: posix.join('/workspace', r.configDir, b.context), dockerfileDir: posix.dirname(file), filename: posix.basename(file), target: b.target, args: b.args };
  await runBuildkit(k, ws, agent, buildctlArgv(input, image), image, progress);
}

/**
 * Starts the workspace's buildkit pod, runs `argv` (a buildctl build that pushes `image`) in it and
 * removes the pod, whatever the outcome.
 *
 * @throws WorkbayError `driver.buildFailed` with the build's output tail.
 */
export async function runBuildkit(k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, argv: string[], image: string, progress: Progress): Promise<string> {
  const pod = buildkitPodSpec(ws, agent, k.namespace);
  const name = pod.metadata!.name!;
  progress({ step: 'build', message: `starting buildkit (${pod.spec!.containers[0]!.image}, ${agent.buildkitPrivileged ? 'privileged' : 'rootless'})` });
  await deletePod(k.core, k.namespace, name, k.timings);
  await kube('creating the buildkit pod', () => k.core.createNamespacedPod({ namespace: k.namespace, body: pod }));
  try {
    await waitForPod(k.core, k.namespace, name, 'Running', k.timings.podStartTimeoutMs, k.timings.podPollMs).catch((err: WorkbayError) => {
      throw new WorkbayError('driver.buildFailed', `the buildkit pod could not start: ${err.message}`);
    });
    progress({ step: 'build', message: `building and pushing ${image}` });
    const res = await podExec(k.kc, k.namespace, name, 'buildkitd', argv, { timeoutMs: k.timings.buildTimeoutMs });
    const output = `${res.stdout}${res.stderr}`.trim();
    if (res.exitCode !== 0) throw new WorkbayError('driver.buildFailed', `image build failed (exit ${res.exitCode}): ${output.slice(-3000)}`);
    return output;
  } finally {
    await deletePod(k.core, k.namespace, name, k.timings).catch(() => undefined);
  }
}
