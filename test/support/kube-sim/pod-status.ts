import { nowStamp } from './admission';

/** A container state in the v1 ContainerStatus shape. */
export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; message?: string; signal?: number; startedAt?: string; finishedAt: string; containerID?: string };
}

/** What the kubelet knows about one container of a pod. */
export interface ContainerRuntime {
  name: string;
  image: string;
  init: boolean;
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  containerId?: string;
  previousContainerId?: string;
  imageID: string;
}

/** Pod-level facts besides the containers. */
export interface PodFacts {
  restartPolicy: string;
  startTime?: string;
  /** Set while the pod cannot be placed (e.g. its PVC is missing or unbound). */
  unschedulable?: string;
}

function toStatus(c: ContainerRuntime): Record<string, unknown> {
  const running = !!c.state.running;
  const s: Record<string, unknown> = {
    name: c.name, state: c.state, lastState: c.lastState, ready: running, restartCount: c.restartCount,
    image: c.image, imageID: c.imageID, started: running,
  };
  if (c.containerId) s.containerID = `docker://${c.containerId}`;
  return s;
}

/** The kubelet's phase rules (pkg/kubelet getPhase), including init containers. */
export function podPhase(facts: PodFacts, inits: ContainerRuntime[], apps: ContainerRuntime[]): string {
  for (const c of inits) {
    if (c.state.terminated?.exitCode === 0) continue;
    if (facts.restartPolicy === 'Never' && c.state.terminated) return 'Failed';
    return 'Pending';
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of apps) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (facts.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (facts.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, prev: any[], reason?: string, message?: string): Record<string, unknown> {
  const status = ok ? 'True' : 'False';
  const before = prev.find((c) => c.type === type);
  const c: Record<string, unknown> = { type, status, lastProbeTime: null, lastTransitionTime: before?.status === status ? before.lastTransitionTime : nowStamp() };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

/** Builds `pod.status` from the runtime state; keeps lastTransitionTime of unchanged conditions. */
export function buildPodStatus(prev: Record<string, any> | undefined, facts: PodFacts, inits: ContainerRuntime[], apps: ContainerRuntime[]): Record<string, unknown> {
  const prevConds: any[] = prev?.conditions ?? [];
  if (facts.unschedulable) {
    return { phase: 'Pending', qosClass: 'BestEffort', conditions: [condition('PodScheduled', false, prevConds, 'Unschedulable', facts.unschedulable)] };
  }
  const phase = podPhase(facts, inits, apps);
  const pendingInit = inits.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.name);
  const unready = apps.filter((c) => !c.state.running).map((c) => c.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  const readyMsg = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const status: Record<string, unknown> = {
    phase,
    conditions: [
      condition('PodReadyToStartContainers', true, prevConds),
      condition('Initialized', pendingInit.length === 0 || phase === 'Succeeded', prevConds, 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`),
      condition('Ready', unready.length === 0, prevConds, readyReason, readyMsg),
      condition('ContainersReady', unready.length === 0, prevConds, readyReason, readyMsg),
      condition('PodScheduled', true, prevConds),
    ],
    hostIP: '127.0.0.1', hostIPs: [{ ip: '127.0.0.1' }], podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }],
    qosClass: 'BestEffort',
    containerStatuses: apps.map(toStatus),
  };
  if (facts.startTime) status.startTime = facts.startTime;
  if (inits.length) status.initContainerStatuses = inits.map(toStatus);
  return status;
}
