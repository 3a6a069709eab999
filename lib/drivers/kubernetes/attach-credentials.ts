import type { AuthenticationV1TokenRequest, V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { DriverWorkspace } from '../driver';
import { kubeLabels, kubeNames } from './names';

/** Lifetime of a scoped attach token: long enough to open a session, short enough to be worthless later. */
export const ATTACH_TOKEN_SECONDS = 600;
/** The API server's floor for TokenRequest `expirationSeconds`. */
const MIN_TOKEN_SECONDS = 600;

/** Names of the per-workspace attach identity (distinct from the pod's own service account). */
export const attachNames = (wsId: string) => {
  const base = `${kubeNames(wsId).pod}-attach`;
  return { serviceAccount: base, role: base, roleBinding: base };
};

/**
 * The ServiceAccount a client attaches as when the control plane cannot hold the stream (AWS Lambda,
 * ADR 0013). It has no secret and mounts nowhere: its only credentials are TokenRequest tokens.
 */
export function attachServiceAccountSpec(ws: DriverWorkspace, namespace: string): V1ServiceAccount {
  return {
    apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: false,
    metadata: { name: attachNames(ws.id).serviceAccount, namespace, labels: kubeLabels(ws, { 'workbay.dev/purpose': 'attach' }) },
  };
}

/**
 * A Role that allows exactly `pods/exec` and `pods/portforward` (and reading that pod, which kubectl
 * and client libraries do first) on the one workspace pod, by name: no list, no other pod, no secrets.
 */
export function attachRoleSpec(ws: DriverWorkspace, namespace: string): V1Role {
  const pod = kubeNames(ws.id).pod;
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name: attachNames(ws.id).role, namespace, labels: kubeLabels(ws, { 'workbay.dev/purpose': 'attach' }) },
    rules: [
      { apiGroups: [''], resources: ['pods'], resourceNames: [pod], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods/exec', 'pods/portforward'], resourceNames: [pod], verbs: ['create', 'get'] },
    ],
  };
}

/** Binds the attach Role to the attach ServiceAccount, in the workspace's namespace only. */
export function attachRoleBindingSpec(ws: DriverWorkspace, namespace: string): V1RoleBinding {
  const n = attachNames(ws.id);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: n.roleBinding, namespace, labels: kubeLabels(ws, { 'workbay.dev/purpose': 'attach' }) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.role },
    subjects: [{ kind: 'ServiceAccount', name: n.serviceAccount, namespace }],
  };
}

/**
 * A TokenRequest for the attach ServiceAccount: it expires after `seconds`, and is bound to the pod
 * (by uid), so it dies with the pod even earlier — a stop or a recreate invalidates it.
 */
export function attachTokenRequestSpec(podName: string, podUid: string, seconds = ATTACH_TOKEN_SECONDS, audiences?: string[]): AuthenticationV1TokenRequest {
  return {
    apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
    spec: {
      audiences: audiences ?? [],
      expirationSeconds: Math.max(MIN_TOKEN_SECONDS, Math.floor(seconds)),
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: podName, uid: podUid },
    },
  };
}
