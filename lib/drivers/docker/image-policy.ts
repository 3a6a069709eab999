import type Docker from 'dockerode';
import { assertAllowed, decideResources, dockerLimits, evaluate, metadataRequest, type MetadataRequest, type Policy } from '../../policy';
import { LABELS } from '../driver';
import type { ResolvedDevcontainer } from '../devcontainer';
import { engine } from './errors';

/** What the policy lets the container have beyond the devcontainer.json: the label's asks and the limits. */
export interface AllowedRun {
  metadata: MetadataRequest;
  limits: { NanoCpus?: number; Memory?: number };
}

/**
 * Judges the merged configuration once the image is on the engine: the devcontainer.json (which for
 * a git source the API never saw) plus the image's `devcontainer.metadata` label. Runs after pull or
 * build and before the container is created, so a refusal creates no container (ADR 0008).
 *
 * `inspected` is the image's inspect when the caller has it already (one inspect serves every check).
 *
 * @throws WorkbayError `policy.denied` listing every violated field and rule.
 */
export async function judgeImage(docker: Docker, policy: Policy, r: ResolvedDevcontainer, image: string, inspected?: Docker.ImageInspectInfo): Promise<AllowedRun> {
  const info = inspected ?? await engine(`inspecting image ${image}`, () => docker.getImage(image).inspect());
  const label = info.Config?.Labels?.[LABELS.metadata];
  assertAllowed(evaluate(policy, { image: r.config.image, devcontainer: r.config, metadata: label }), `image ${JSON.stringify(image)} with this devcontainer.json`);
  return { metadata: metadataRequest(label), limits: dockerLimits(decideResources(policy, r.config)) };
}
