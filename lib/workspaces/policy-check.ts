import { WorkbayError } from '../errors';
import { resolveDevcontainer } from '../drivers/devcontainer';
import { assertAllowed, evaluate, gitSourceViolation, judgeTimeout, type Policy, type Violation } from '../policy';
import { featureSourceViolations } from '../features';
import type { WorkspaceRecord } from '../store';
import type { Driver } from '../drivers';
import { driverWorkspace } from './drivers';

/** Where the workspace's files come from, judged alone: the git source's URL (`policy.gitSources`). Pure. */
export function sourceViolations(policy: Policy, ws: WorkspaceRecord): Violation[] {
  const git = 'git' in ws.source ? gitSourceViolation(policy, ws.source.git.url, 'source.git.url') : undefined;
  return git ? [git] : [];
}

/**
 * The source judged again just before the engine is asked to create or start, on the provider's
 * policy as the reconciler's pass resolved it (the pass's driver carries it): the API judged it at
 * create and at start, but a create the reconciler retries or re-drives later (a Pending workspace,
 * an engine that was unreachable) must not clone what an admin has since taken off `gitSources`.
 * Pure: the pass reads the provider once, for its driver.
 *
 * @throws WorkbayError `policy.denied` naming `source.git.url` and the rule `policy.gitSources`.
 */
export function assertSourceAllowed(policy: Policy, ws: WorkspaceRecord): void {
  assertAllowed(sourceViolations(policy, ws), 'the git source, judged again on policy.gitSources as it is now,');
}

/**
 * What the API can judge before anything is written: the git source's URL (`policy.gitSources`), the
 * request's devcontainer.json (or, for an image source without one, the image reference) and the
 * inactivity timeout. A git source's own devcontainer.json and every image's `devcontainer.metadata`
 * label are judged by the driver, once they are known (ADR 0008).
 */
export function requestViolations(policy: Policy, ws: WorkspaceRecord, timeoutRequested: boolean | undefined): Violation[] {
  const out: Violation[] = sourceViolations(policy, ws);
  if (ws.devcontainer !== undefined || 'image' in ws.source) {
    const r = resolveDevcontainer(driverWorkspace(ws), ws.devcontainer);
    if (ws.driver === 'kubernetes' && r.config.dockerCompose) {
      // Refused before anything is written; a repository's own compose config is refused by the driver.
      throw new WorkbayError('config.invalid', 'Docker Compose is not supported by Kubernetes providers: dockerComposeFile runs on Docker providers only', {
        errors: [{ field: 'devcontainer.dockerComposeFile', message: 'not supported on Kubernetes', hint: 'Use a Docker provider, or an image or Dockerfile devcontainer.json.' }],
      });
    }
    if (r.config.dockerCompose && 'image' in ws.source) {
      throw new WorkbayError('config.invalid', 'a Docker Compose devcontainer needs a git source: the compose files are read from the repository', {
        errors: [{ field: 'source', message: 'use source.git with dockerComposeFile' }],
      });
    }
    out.push(...evaluate(policy, { image: r.config.image, devcontainer: r.config }), ...featureSourceViolations(policy, r.config.features));
  }
  // undefined: the timeout is not being asked for now (a start), so it is not judged again.
  if (timeoutRequested !== undefined) {
    const t = judgeTimeout(policy, ws.inactivityTimeoutSeconds, timeoutRequested);
    if (t.violation) out.push(t.violation);
  }
  return out;
}

/**
 * The image label, judged up front when the engine already has the image: a label asking for
 * privileged or a host bind is refused with 403 before anything is written, like the request itself.
 * An image the engine does not have yet is judged by the driver after the pull (ADR 0008).
 */
export async function labelViolations(policy: Policy, ws: WorkspaceRecord, driver: Driver): Promise<Violation[]> {
  if (!driver.imageMetadata || !('image' in ws.source)) return [];
  const r = resolveDevcontainer(driverWorkspace(ws), ws.devcontainer);
  if (!r.config.image) return [];
  const label = await driver.imageMetadata(r.config.image);
  return label ? evaluate(policy, { image: r.config.image, devcontainer: r.config, metadata: label }) : [];
}
