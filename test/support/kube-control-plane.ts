import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type TestControlPlane } from './control-plane';
import { providerYaml } from './fixtures';
import { startKubeSim, type KubeSim } from './kube-sim';

/** kube-sim (pods as containers on the test engine) and a control plane with the `simple-kubernetes` provider on it. */
export interface KubeControlPlane {
  sim: KubeSim;
  cp: TestControlPlane;
  close(): Promise<void>;
}

/** Starts kube-sim on `dockerHost`, writes its kubeconfig to a temp folder and a control plane that uses it. */
export async function startKubeControlPlane(dockerHost: string, opts: { prefix: string; kubeTimeoutSeconds: number }): Promise<KubeControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const sim = await startKubeSim({ dockerHost });
  sim.writeKubeconfig(join(dir, 'kubeconfig'));
  const cp = await startControlPlane({ kubeconfig: join(dir, 'kubeconfig'), kubeTimeoutSeconds: opts.kubeTimeoutSeconds });
  const added = await cp.call('POST', '/v1/providers', { yaml: providerYaml('simple-kubernetes') });
  if (added.status !== 201) throw new Error(`adding simple-kubernetes answered ${added.status}: ${JSON.stringify(added.body)}`);
  return {
    sim, cp,
    async close() {
      await cp.dispose();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
