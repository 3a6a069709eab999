import { mergeMetadata, type DevcontainerConfig } from '../config';
import { assertAllowed, type Policy } from '../policy';
import { featureBuild, type FeatureBase, type FeatureBuild } from './dockerfile';
import { featureSourceViolations, featureViolations } from './policy';
import { resolveFeatures } from './resolve';
import { assertFeatureSourcesPublic } from './source-guard';
import type { FeatureLoaders, ResolvedFeature } from './types';

/** What resolving a config's Features needs from its driver. */
export interface PrepareFeaturesOptions {
  policy: Policy;
  /** Local reads from the workspace source, plus credentials; without `local`, local Features are refused. */
  loaders: FeatureLoaders;
  /** Lets Features come from loopback registries (embedded tests); never on AWS. */
  allowLoopbackSources?: boolean;
  progress?: (e: { step: 'build'; message: string }) => void;
}

/**
 * The driver-neutral half of installing Features: refuses sources the control plane may not call
 * and Features the policy does not allow (before anything is fetched), resolves the rest (metadata,
 * dependsOn, files) into the spec's install order, and judges what each Feature asks the container
 * for. Both drivers call this, then build the result their own way (see planFeatureBuild).
 *
 * @returns the Features in install order; empty when the config has none.
 * @throws WorkbayError `policy.denied` naming the Feature, or what resolveFeatures throws.
 */
export async function prepareFeatures(config: DevcontainerConfig, configDir: string, opts: PrepareFeaturesOptions): Promise<ResolvedFeature[]> {
  const refs = Object.keys(config.features);
  if (!refs.length) return [];
  assertFeatureSourcesPublic(refs, opts.allowLoopbackSources ?? false);
  assertAllowed(featureSourceViolations(opts.policy, config.features), 'the Features of this devcontainer.json');
  opts.progress?.({ step: 'build', message: `resolving Features: ${refs.join(', ')}` });
  const features = await resolveFeatures(config.features, configDir, opts.loaders, config.overrideFeatureInstallOrder);
  assertAllowed(featureViolations(opts.policy, features), 'the Features of this devcontainer.json');
  return features;
}

/**
 * The generated build of `features` on `base`, with the users Feature scripts see (`_REMOTE_USER`,
 * `_CONTAINER_USER`) decided as the container's will be: the config over the base image's metadata.
 * `labels` puts the labels (and the metadata label) into the Dockerfile, for builders without a label API.
 */
export function planFeatureBuild(config: DevcontainerConfig, base: FeatureBase, features: ResolvedFeature[], labels?: Record<string, string>): FeatureBuild {
  const users = mergeMetadata(config, base.entries).config;
  return featureBuild(base, features, users, labels);
}

/** The order Features install in, as progress messages and labels name it. */
export const featureOrder = (features: ResolvedFeature[]) => features.map((f) => f.ref.written).join(', ');
