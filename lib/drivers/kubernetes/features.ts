import { createHash } from 'node:crypto';
import type { KubernetesAgent } from '../../config';
import { isWorkbayError, WorkbayError } from '../../errors';
import { featureOrder, planFeatureBuild, prepareFeatures, readImageConfig, type FeatureLoaders, type ImageConfig, type ResolvedFeature } from '../../features';
import { assertAllowed, evaluate, type Policy } from '../../policy';
import { withImageMetadata, type ResolvedDevcontainer } from '../devcontainer';
import { LABELS, type DriverWorkspace, type Progress } from '../driver';
import type { KubeClients } from './client';
import { FeaturesPod } from './features-pod';
import { buildctlArgv, runBuildkit } from './image';
import { tagExists } from './registry';

/** What the Features path needs beside the cluster. */
export interface KubeFeatureSettings {
  policy: Policy;
  /** Image of the helper pod that reads local Features and writes the build context (has git; tar for uploaded folders). */
  gitImage: string;
  /** Lets Features come from loopback registries (embedded tests); never on AWS. */
  allowLoopbackSources?: boolean;
  loaders?: Omit<FeatureLoaders, 'local'>;
}

/** The prebuild tag of a Features image: the generated build's content hash (base digest, Features, options, order) and the arch. */
export function featuresTag(arch: string, buildTag: string): string {
  return `features-${createHash('sha256').update(JSON.stringify({ arch, build: buildTag })).digest('hex').slice(0, 32)}`;
}

/** Feature `containerEnv` as the built image's Env holds it (`${VAR}` expanded in order, as ENV lines do). */
function imageEnv(base: string[], features: ResolvedFeature[]): string[] {
  const env = new Map(base.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
  for (const f of features) {
    for (const [k, v] of Object.entries(f.metadata.containerEnv ?? {})) {
      env.set(k, String(v).replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => env.get((a ?? b)!) ?? ''));
    }
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** The merged config's privileged and capAdd asks from image and Feature entries, for the pod (still gated by the policy there). */
function withEntryAsks(r: ResolvedDevcontainer, entries: unknown[]): ResolvedDevcontainer {
  const recs = entries.filter((e): e is Record<string, unknown> => !!e && typeof e === 'object');
  const privileged = recs.some((e) => e.privileged === true);
  const capAdd = recs.flatMap((e) => (Array.isArray(e.capAdd) ? e.capAdd.filter((c): c is string => typeof c === 'string') : []));
  const runArgs = { ...r.config.runArgs, privileged: r.config.runArgs.privileged || privileged, capAdd: [...new Set([...r.config.runArgs.capAdd, ...capAdd])] };
  return { ...r, config: { ...r.config, runArgs } };
}

/**
 * Installs the config's Features on `base` through the cluster's buildkit path: resolves and judges
 * them exactly as the Docker driver does (lib/features), generates the same build (one layer per
 * Feature, the metadata label in the Dockerfile), and pushes `<buildRepository>:features-<hash>`,
 * reused without a buildkit pod when the registry has it. Returns the image and the config with
 * the base's and Features' metadata merged in (containerEnv, hooks, users, privileged/capAdd).
 *
 * @throws WorkbayError naming the Feature that cannot be had, is refused, or fails to install;
 *   `config.invalid` when the provider has no buildRepository.
 */
export async function installFeaturesInCluster(
  k: KubeClients, ws: DriverWorkspace, agent: KubernetesAgent, r: ResolvedDevcontainer, base: string, arch: string, s: KubeFeatureSettings, progress: Progress,
): Promise<{ image: string; resolved: ResolvedDevcontainer }> {
  if (!Object.keys(r.config.features).length) return { image: base, resolved: r };
  if (!agent.buildRepository) {
    throw new WorkbayError('config.invalid', `Features are installed by building an image, and this Kubernetes provider has no buildRepository: ${Object.keys(r.config.features).join(', ')}`, {
      errors: [{ field: 'agent.kubernetes.buildRepository', message: 'set buildRepository (e.g. registry.example.com/workspaces) so Features can be built and pushed, or bake them into the image' }],
    });
  }
  const pod = new FeaturesPod(k, ws, agent, s.gitImage);
  try {
    const local = 'git' in ws.source || 'upload' in ws.source ? (path: string) => pod.readFolder(path) : undefined;
    const features = await prepareFeatures(r.config, r.configDir, { policy: s.policy, loaders: { ...s.loaders, ...(local ? { local } : {}) }, allowLoopbackSources: s.allowLoopbackSources, progress });
    const facts = await baseFacts(base, arch, s, progress);
    const order = featureOrder(features);
    const build = planFeatureBuild(r.config, { ref: base, id: facts.id, user: facts.user, entries: facts.entries }, features, {
      [LABELS.managedBy]: 'workbay', 'workbay.dev/features': order,
    });
    // The base's own entries are judged like any image's, before a pod is built or started.
    assertAllowed(evaluate(s.policy, { metadata: build.entries }), 'the image metadata and Features of this devcontainer.json');
    const image = `${agent.buildRepository}:${featuresTag(arch, build.tag)}`;
    const resolved = withEntryAsks(withImageMetadata(r, build.entries, imageEnv(facts.env, features)), build.entries);
    if (await tagExists(agent.buildRepository, image.slice(image.lastIndexOf(':') + 1))) {
      progress({ step: 'build', message: `using prebuild ${image} (Features ${order} unchanged)` });
      return { image, resolved };
    }
    progress({ step: 'build', message: `installing Features in order: ${order}` });
    const dir = await pod.writeContext(image.slice(image.lastIndexOf(':') + 1), build.files());
    await pod.close();
    await runBuildkit(k, ws, agent, buildctlArgv({ context: dir, dockerfileDir: dir, filename: 'Dockerfile' }, image), image, progress).catch((err: unknown) => {
      const failed = isWorkbayError(err, 'driver.buildFailed') ? [...err.message.matchAll(/workbay: installing Feature (\S+)/g)].pop()?.[1] : undefined;
      if (failed && !/^the buildkit pod could not start/.test((err as Error).message)) {
        throw new WorkbayError('driver.buildFailed', `Feature "${failed}" failed to install: ${(err as Error).message.replace(/^image build failed /, '')}`, { cause: err });
      }
      throw err;
    });
    return { image, resolved };
  } finally {
    await pod.close();
  }
}

/** The base image's config from its registry; without it the build goes on, keyed by the reference alone, and says so. */
async function baseFacts(base: string, arch: string, s: KubeFeatureSettings, progress: Progress): Promise<ImageConfig> {
  try {
    return await readImageConfig(base, arch, s.loaders);
  } catch (err) {
    progress({ step: 'build', message: `${(err as Error).message}; building Features without its devcontainer.metadata and USER (a moved tag is not noticed)` });
    return { id: base, user: '', env: [], entries: [] };
  }
}
