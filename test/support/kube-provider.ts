import { ulid } from 'ulid';
import { loadProvider } from '../../lib/config';
import type { DriverWorkspace } from '../../lib/drivers';
import { createKubernetesDriver, type KubeDriver } from '../../lib/drivers/kubernetes';
import { localSecrets } from '../../lib/secrets';

/** A Kubernetes driver from provider YAML, as the control plane would build it. */
export async function kubeDriverFrom(yaml: string, env: Record<string, string> = {}, defaultKubeconfigPath?: string): Promise<KubeDriver> {
  const p = loadProvider(yaml);
  if (p.agent.driver !== 'kubernetes') throw new Error('not a kubernetes provider');
  return createKubernetesDriver(p.agent.kubernetes, { secrets: localSecrets(env), gitImage: 'workbay-test/git:local', defaultKubeconfigPath }, p.definition.policy);
}

/** A fresh workspace for driver-level tests. */
export function kubeWorkspace(extra: Partial<DriverWorkspace> = {}): DriverWorkspace {
  return { id: ulid(), name: 'opt', owner: 'tests', source: { image: 'workbay-test/busybox:local' }, env: {}, ...extra };
}
