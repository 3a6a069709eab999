import { resolveDevcontainer } from '../drivers/devcontainer';
import { evaluate, judgeTimeout, type Policy, type Violation } from '../policy';
import type { WorkspaceRecord } from '../store';
import { driverWorkspace } from './drivers';

/**
 * What the API can judge before anything is written: the request's devcontainer.json (or, for an
 * image source without one, the image reference) and the inactivity timeout. A git source's own
 * devcontainer.json and every image's `devcontainer.metadata` label are judged by the driver, once
 * they are known (ADR 0008).
 */
export function requestViolations(policy: Policy, ws: WorkspaceRecord, timeoutRequested: boolean | undefined): Violation[] {
  const out: Violation[] = [];
  if (ws.devcontainer !== undefined || 'image' in ws.source) {
    const r = resolveDevcontainer(driverWorkspace(ws), ws.devcontainer);
    out.push(...evaluate(policy, { image: r.config.image, devcontainer: r.config }));
  }
  // undefined: the timeout is not being asked for now (a start), so it is not judged again.
  if (timeoutRequested !== undefined) {
    const t = judgeTimeout(policy, ws.inactivityTimeoutSeconds, timeoutRequested);
    if (t.violation) out.push(t.violation);
  }
  return out;
}
