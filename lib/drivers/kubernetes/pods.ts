import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { WorkbayError } from '../../errors';
import { kube, kubeMaybe } from './errors';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../timings';

/** What deleting a pod and polling for its end take from DriverTimings. */
export type PodDeleteTimings = Pick<DriverTimings, 'podDeleteGraceSeconds' | 'podDeleteTimeoutMs' | 'podPollMs'>;

const PULL_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);
const START_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'CrashLoopBackOff']);

/** Why a pod cannot start, from its container statuses; undefined while it may still start. */
export function podFailure(pod: V1Pod): WorkbayError | undefined {
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const w = c.state?.waiting;
    if (w?.reason && PULL_FAILURES.has(w.reason)) {
      return new WorkbayError('driver.imageUnavailable', `image "${c.image}" could not be pulled (${w.reason}): ${w.message ?? ''}`.trim());
    }
    if (w?.reason && START_FAILURES.has(w.reason)) return new WorkbayError('driver.failed', `container ${c.name} cannot start (${w.reason}): ${w.message ?? ''}`.trim());
  }
  return undefined;
}

/**
 * Waits for a pod to run (`Running`) or finish (`Succeeded`/`Failed` for helper pods). Pull and start
 * failures end the wait at once with the kubelet's reason.
 */
export async function waitForPod(core: CoreV1Api, namespace: string, name: string, until: 'Running' | 'Completed', timeoutMs = DEFAULT_DRIVER_TIMINGS.podStartTimeoutMs, pollMs = DEFAULT_DRIVER_TIMINGS.podPollMs): Promise<V1Pod> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const pod = await kubeMaybe(`reading pod ${name}`, () => core.readNamespacedPod({ name, namespace }));
    // Gone right after create (deleted meanwhile, or a create that never took): retry the step later.
    if (!pod) throw new WorkbayError('driver.unreachable', `pod ${name} disappeared while waiting for it to reach ${until}`);
    const phase = pod.status?.phase;
    if (until === 'Running' && phase === 'Running') return pod;
    if (until === 'Completed' && (phase === 'Succeeded' || phase === 'Failed')) return pod;
    if (until === 'Running' && (phase === 'Succeeded' || phase === 'Failed')) {
      const t = pod.status?.containerStatuses?.[0]?.state?.terminated;
      throw new WorkbayError('driver.failed', `pod ${name} exited (${t?.reason ?? phase}, exit code ${t?.exitCode ?? '?'}) instead of running`);
    }
    const failure = podFailure(pod);
    if (failure) throw failure;
    if (Date.now() > end) throw new WorkbayError('driver.unreachable', `pod ${name} did not reach ${until} within ${timeoutMs / 1000} s (phase ${phase ?? 'unknown'})`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Deletes a pod and waits until it is gone (already gone = success). */
export async function deletePod(core: CoreV1Api, namespace: string, name: string, t: PodDeleteTimings = DEFAULT_DRIVER_TIMINGS): Promise<void> {
  const timeoutMs = t.podDeleteTimeoutMs;
  const gone = await kubeMaybe(`deleting pod ${name}`, () => core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: t.podDeleteGraceSeconds }));
  if (gone === undefined) return;
  const end = Date.now() + timeoutMs;
  while (await kubeMaybe(`reading pod ${name}`, () => core.readNamespacedPod({ name, namespace }))) {
    if (Date.now() > end) throw new WorkbayError('driver.unreachable', `pod ${name} was not gone ${timeoutMs / 1000} s after its deletion`);
    await new Promise((r) => setTimeout(r, t.podPollMs));
  }
}

/** Runs a helper pod to completion and returns its log; the pod is deleted afterwards either way. */
export async function runHelperPod(core: CoreV1Api, namespace: string, pod: V1Pod, timeoutMs = DEFAULT_DRIVER_TIMINGS.helperPodTimeoutMs, t: PodDeleteTimings = DEFAULT_DRIVER_TIMINGS): Promise<{ phase: string; log: string }> {
  const name = pod.metadata!.name!;
  await deletePod(core, namespace, name, t);
  await kube(`creating helper pod ${name}`, () => core.createNamespacedPod({ namespace, body: pod }));
  try {
    const done = await waitForPod(core, namespace, name, 'Completed', timeoutMs, t.podPollMs);
    const log = await kube(`reading the log of ${name}`, () => core.readNamespacedPodLog({ name, namespace }));
    return { phase: done.status?.phase ?? 'Unknown', log: String(log ?? '') };
  } finally {
    await deletePod(core, namespace, name, t).catch(() => undefined);
  }
}
