import { stringify } from 'yaml';

/** A kubeconfig for the simulator: cluster `kube-sim`, bearer-token user, context `kube-sim`, namespace `default`. */
export function kubeconfigYaml(url: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster: { server: url } }],
    users: [{ name: 'kube-sim', user: { token } }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user: 'kube-sim', namespace: 'default' } }],
    'current-context': 'kube-sim',
    preferences: {},
  });
}
