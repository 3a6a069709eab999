import type { DevcontainerConfig } from '../config';
import { formatCpu, formatMemory, sizeBytes } from './units';
import type { Policy, Violation } from './types';

/** The limits a workspace runs with; absent means the engine's default (no limit). */
export interface ResourceDecision {
  /** CPUs in millicores. */
  cpuMillis?: number;
  memoryBytes?: number;
  violations: Violation[];
}

/**
 * Decides a workspace's CPU and memory from `hostRequirements` and the policy: the request, else the
 * policy's default, else its ceiling (a ceiling alone still bounds the workspace); a request above
 * the ceiling is a violation.
 */
export function decideResources(policy: Policy, c: Pick<DevcontainerConfig, 'hostRequirements'>): ResourceDecision {
  const violations: Violation[] = [];
  const pick = (asked: number | undefined, rule: { default?: number; max?: number }, field: string, name: string, show: (n: number) => string) => {
    if (asked !== undefined && rule.max !== undefined && asked > rule.max) {
      violations.push({ field, rule: `policy.resources.${name}.max`, message: `${show(asked)} is above this provider's maximum of ${show(rule.max)}` });
    }
    // Without a rule the policy decides nothing: the engine's defaults (and, on Kubernetes, the plain requests) apply.
    if (rule.default === undefined && rule.max === undefined) return undefined;
    return asked ?? rule.default ?? rule.max;
  };
  const req = c.hostRequirements;
  const askedCpu = req?.cpus !== undefined ? req.cpus * 1000 : undefined;
  const askedMem = req?.memory !== undefined ? sizeBytes(req.memory) : undefined;
  const cpuMillis = pick(askedCpu, policy.resources.cpus, 'devcontainer.hostRequirements.cpus', 'cpus', (n) => `${formatCpu(n)} CPUs`);
  const memoryBytes = pick(askedMem, policy.resources.memory, 'devcontainer.hostRequirements.memory', 'memory', formatMemory);
  return { ...(cpuMillis !== undefined ? { cpuMillis } : {}), ...(memoryBytes !== undefined ? { memoryBytes } : {}), violations };
}

/** Docker HostConfig limits for a decision. */
export function dockerLimits(d: ResourceDecision): { NanoCpus?: number; Memory?: number } {
  return { ...(d.cpuMillis !== undefined ? { NanoCpus: d.cpuMillis * 1_000_000 } : {}), ...(d.memoryBytes !== undefined ? { Memory: d.memoryBytes } : {}) };
}

/** Kubernetes requests and limits for a decision (both set to the decided value). */
export function kubernetesLimits(d: ResourceDecision): Record<string, string> {
  return { ...(d.cpuMillis !== undefined ? { cpu: formatCpu(d.cpuMillis) } : {}), ...(d.memoryBytes !== undefined ? { memory: formatMemory(d.memoryBytes) } : {}) };
}
