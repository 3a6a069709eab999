import type Docker from 'dockerode';
import { isWorkbayError, WorkbayError } from '../../errors';
import { featureOrder, filesFromTar, planFeatureBuild, prepareFeatures, type FeatureLoaders } from '../../features';
import type { Policy } from '../../policy';
import type { ResolvedDevcontainer } from '../devcontainer';
import { LABELS, type DriverWorkspace, type Progress } from '../driver';
import { buildImage, hasImage } from './image';
import { imageFacts } from './metadata';
import { hasSourceTree, readFeatureFolder, type HelperSettings } from './source';

/**
 * Installs the config's Features on `base` through the engine's build API and returns the image
 * to run: `workbay-features:<content hash>`, reused as is when the engine already has it (nothing
 * changed: base image, Features' files, options). Each Feature's asks are judged by the policy
 * before anything is built. The result's `devcontainer.metadata` label holds the base's entries and
 * one per Feature, so the metadata merge (and the policy's label check) see the Features.
 *
 * @throws WorkbayError naming the Feature that cannot be had, is refused, or fails to install.
 */
export async function installFeatures(
  docker: Docker, ws: DriverWorkspace, helper: HelperSettings, r: ResolvedDevcontainer, base: string, policy: Policy, progress: Progress,
  loaders: Omit<FeatureLoaders, 'local'> = {},
  /** Lets Features come from loopback registries (embedded tests); never on AWS. */
  allowLoopbackSources = false,
): Promise<string> {
  if (!Object.keys(r.config.features).length) return base;
  const local: FeatureLoaders['local'] = hasSourceTree(ws.source)
    ? (path) => readFeatureFolder(docker, ws, helper, path, (tar) => filesFromTar(tar, 1))
    : undefined;
  const features = await prepareFeatures(r.config, r.configDir, { policy, loaders: { ...loaders, ...(local ? { local } : {}) }, allowLoopbackSources, progress });
  const facts = await imageFacts(docker, base);
  const build = planFeatureBuild(r.config, { ref: base, id: facts.id, user: facts.user, entries: facts.entries }, features);
  const order = featureOrder(features);
  if (await hasImage(docker, build.tag)) {
    progress({ step: 'build', message: `reusing ${build.tag} (Features ${order} unchanged)` });
    return build.tag;
  }
  progress({ step: 'build', message: `installing Features in order: ${order}` });
  let current: string | undefined;
  try {
    await buildImage(docker, build.context(), {
      tag: build.tag, dockerfile: 'Dockerfile', args: {}, platform: r.config.runArgs.platform,
      labels: { [LABELS.metadata]: JSON.stringify(build.entries), [LABELS.managedBy]: 'workbay', 'workbay.dev/features': order },
    }, (e) => {
      const m = /workbay: installing Feature (.+)$/.exec(e.message);
      if (m) current = m[1];
      progress(e);
    });
  } catch (err) {
    if (isWorkbayError(err, 'driver.buildFailed') && current) {
      throw new WorkbayError('driver.buildFailed', `Feature "${current}" failed to install: ${err.message.replace(/^Dockerfile build failed: /, '')}`, { cause: err });
    }
    throw err;
  }
  return build.tag;
}
