/**
 * Dev Container Features (containers.dev): references, options, install order, fetching (local
 * folders, OCI artifacts, https tarballs) and the generated build that installs them. Drivers
 * supply the engine (build API) and the local reads; nothing here talks to an engine.
 */
export type { FeatureFiles, FeatureLoaders, FeatureMetadata, FeatureOption, FeatureRef, FeatureSource, ResolvedFeature } from './types';
export { parseFeatureRef, canonicalId } from './reference';
export { assertFeatureSourcesPublic, featureHost, realFolderFunction, sourceSymlinkRefusal } from './source-guard';
export { featureOptionsEnv, optionEnvName } from './options';
export { installOrder, type OrderNode } from './order';
export { resolveFeatures } from './resolve';
export { featureBuild, featureEntry, type FeatureBase, type FeatureBuild } from './dockerfile';
export { featureSourceViolations, featureViolations } from './policy';
export { filesFromTar, MAX_FEATURE_BYTES } from './files';
export { registryCredentials } from './credentials';
export { prepareFeatures, planFeatureBuild, featureOrder, type PrepareFeaturesOptions } from './prepare';
export { readImageConfig, type ImageConfig } from './image-config';
