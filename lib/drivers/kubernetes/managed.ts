import { LABELS, type ManagedObject } from '../driver';
import type { KubeClients } from './client';
import { kube } from './errors';

/** Pods and PVCs this control plane labelled in the provider's namespace. */
export async function listManagedKube(k: KubeClients, instance: string): Promise<ManagedObject[]> {
  const labelSelector = `${LABELS.managedBy}=workbay,${LABELS.instance}=${instance}`;
  const [pods, pvcs] = await Promise.all([
    kube('listing pods', () => k.core.listNamespacedPod({ namespace: k.namespace, labelSelector })),
    kube('listing PVCs', () => k.core.listNamespacedPersistentVolumeClaim({ namespace: k.namespace, labelSelector })),
  ]);
  const out: ManagedObject[] = [];
  for (const [kind, items] of [['pod', pods.items], ['pvc', pvcs.items]] as const) {
    for (const o of items) {
      const id = o.metadata?.labels?.[LABELS.workspaceId];
      const created = o.metadata?.creationTimestamp;
      if (id) out.push({ workspaceId: id, kind, name: o.metadata?.name ?? '', ...(created ? { createdAt: new Date(created) } : {}) });
    }
  }
  return out;
}
