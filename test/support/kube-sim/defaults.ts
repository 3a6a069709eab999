import type { KubeObject } from './store';

/** The tag of an image reference, or undefined (`busybox` → undefined, `a:5000/b:c` → `c`). */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0] ?? image;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(colon + 1) : undefined;
}

function defaultContainer(c: Record<string, any>): void {
  const tag = imageTag(String(c.image ?? ''));
  const digest = String(c.image ?? '').includes('@');
  c.imagePullPolicy ??= !digest && (tag === undefined || tag === 'latest') ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
}

function defaultPod(pod: KubeObject): void {
  const spec = (pod.spec ??= {}) as Record<string, any>;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
  }
}

/** Folds `stringData` into base64 `data`, as the API server does for Secrets. */
export function foldStringData(secret: KubeObject): void {
  if (secret.stringData && typeof secret.stringData === 'object') {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData as Record<string, unknown>)) {
      secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

/** Applies the defaults the API server fills into specs on every write (so a PUT of an undefaulted body is no change). */
export function applySpecDefaults(obj: KubeObject): void {
  if (obj.kind === 'Pod') defaultPod(obj);
  if (obj.kind === 'PersistentVolumeClaim') {
    const spec = (obj.spec ??= {}) as Record<string, any>;
    spec.volumeMode ??= 'Filesystem';
    spec.storageClassName ??= 'standard';
  }
  if (obj.kind === 'Secret') obj.type ??= 'Opaque';
}

/** Applies the server-side defaults and admission-time fields of a newly created object. */
export function applyCreateDefaults(obj: KubeObject): void {
  applySpecDefaults(obj);
  switch (obj.kind) {
    case 'Pod':
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'PersistentVolumeClaim': {
      obj.metadata.finalizers = [...new Set([...(obj.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection'])];
      obj.status = { phase: 'Pending' };
      break;
    }
    case 'Secret':
      foldStringData(obj);
      break;
    case 'Namespace':
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name };
      break;
  }
}
