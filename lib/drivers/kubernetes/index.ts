import type { KubernetesAgent } from '../../config';
import type { SecretResolver } from '../../secrets';
import type { Policy } from '../../policy';
import type { UploadReader } from '../../uploads';
import { registryCredentials } from '../../features/credentials';
import { loadKube } from './client';
import type { DriverTimings } from '../timings';
import { KubeDriver } from './kube-driver';

export { KubeDriver, type KubeDriverOptions } from './kube-driver';
export { loadKube, type KubeClients } from './client';
export * as builders from './builders';
export { kubeNames, kubeLabels, workspaceSelector, DEV_CONTAINER } from './names';

/** Builds a Kubernetes driver from a provider's resolved `agent.kubernetes`. */
export async function createKubernetesDriver(agent: KubernetesAgent, rt: { defaultKubeconfigPath?: string; secrets: SecretResolver; gitImage: string; apiTimeoutMs?: number; allowLoopbackFeatures?: boolean; timings?: DriverTimings; uploads?: UploadReader }, policy?: Policy): Promise<KubeDriver> {
  const k = await loadKube(agent, rt);
  let podTemplate = agent.podManifestTemplate;
  if (podTemplate && !/[\n{:]/.test(podTemplate)) podTemplate = await rt.secrets(`file:${podTemplate}`, 'agent.kubernetes.podManifestTemplate');
  return new KubeDriver(k, { agent, gitImage: rt.gitImage, podTemplate, ...(policy ? { policy } : {}), ...(rt.allowLoopbackFeatures ? { allowLoopbackFeatures: true } : {}), ...(rt.uploads ? { uploads: rt.uploads } : {}),
    ...(policy?.registries ? { registryCredentials: registryCredentials(policy.registries, rt.secrets) } : {}) });
}
