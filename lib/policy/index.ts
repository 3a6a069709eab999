/**
 * What a provider lets users ask for, judged on the merged configuration (DESIGN §9). Pure: no I/O;
 * callers decide what a refusal does.
 */
import { WorkbayError } from '../errors';
import type { Violation } from './types';

export { DEFAULT_POLICY, type Policy, type Violation, type MergedConfig, type MountType, type ResourceRule } from './types';
export { parseWorkbaySection, normalizeCapability } from './parse';
export { DEFAULT_LIFECYCLE, parseLifecycleDuration, type LifecyclePolicy, type LifecycleRule } from './lifecycle';
export { MAX_REGISTRIES, registryHostKey, registryLogin, type RegistryLogin } from './registries';
export { gitCloneOptions, gitSourceAllowed, gitSourceViolation, parseGitSourcePattern, MAX_GIT_SOURCES, type GitSourcePattern } from './git-sources';
export { evaluate, judgeAsks, judgeTimeout, underPrefix, judgeContainer, type EngineHostConfig } from './evaluate';
export { imageAllowed, imagePatternMatches, parseImagePattern, parseImageReference, type ImagePattern, type ImageReference } from './image-refs';
export { devcontainerAsks, metadataAsks, metadataRequest, type Ask, type MetadataRequest } from './asks';
export { decideResources, dockerLimits, kubernetesLimits, type ResourceDecision } from './resources';
export { podSecurityViolations, BASELINE_CAPABILITIES } from './pod-security';
export { cpuMillis, memoryBytes, formatCpu, formatMemory } from './units';

/** The 403 `policy.denied` error listing every violated field and rule. */
export function policyDenied(violations: Violation[], what = 'the workspace configuration'): WorkbayError {
  const first = violations[0];
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  return new WorkbayError('policy.denied', `${what} is not allowed by the provider's policy: ${first ? `${first.field}: ${first.message}` : 'refused'}${more}`, {
    errors: violations.map((v) => ({ field: v.field, message: v.message, rule: v.rule, ...(v.hint ? { hint: v.hint } : {}) })),
  });
}

/** Throws `policy.denied` when there is any violation. */
export function assertAllowed(violations: Violation[], what?: string): void {
  if (violations.length > 0) throw policyDenied(violations, what);
}
