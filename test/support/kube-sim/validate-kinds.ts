import { nameCauses } from './names';
import type { ResourceDef } from './resources';
import type { StatusCause } from './status';
import type { KubeObject } from './store';

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?\d+))?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const VOLUME_SOURCES = ['persistentVolumeClaim', 'emptyDir', 'secret', 'configMap', 'hostPath', 'projected', 'downwardAPI',
  'csi', 'ephemeral', 'nfs', 'image'];

function required(field: string): StatusCause {
  return { reason: 'FieldValueRequired', message: 'Required value', field };
}

function podCauses(spec: Record<string, any> | undefined): StatusCause[] {
  if (!spec) return [required('spec')];
  const causes: StatusCause[] = [];
  const volumes: Record<string, any>[] = spec.volumes ?? [];
  const volumeNames = new Set<string>();
  volumes.forEach((v, i) => {
    causes.push(...nameCauses('label', `spec.volumes[${i}].name`, v.name));
    if (volumeNames.has(v.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(v.name)}`, field: `spec.volumes[${i}].name` });
    volumeNames.add(v.name);
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
    if (sources.length === 0) causes.push({ reason: 'FieldValueRequired', message: 'Required value: must specify a volume type', field: `spec.volumes[${i}]` });
    if (sources.length > 1) causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type', field: `spec.volumes[${i}]` });
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) causes.push(required(`spec.volumes[${i}].persistentVolumeClaim.claimName`));
  });
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(required('spec.containers'));
  const containerNames = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    (spec[list] as Record<string, any>[] | undefined ?? []).forEach((c, i) => {
      const at = `spec.${list}[${i}]`;
      causes.push(...nameCauses('label', `${at}.name`, c.name));
      if (containerNames.has(c.name)) causes.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(c.name)}`, field: `${at}.name` });
      containerNames.add(c.name);
      if (typeof c.image !== 'string' || c.image.trim() === '') causes.push(required(`${at}.image`));
      (c.env as Record<string, any>[] | undefined ?? []).forEach((e, j) => {
        if (typeof e.name === 'string' && !ENV_NAME.test(e.name)) {
          causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(e.name)}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit`, field: `${at}.env[${j}].name` });
        }
        if (e.value !== undefined && e.valueFrom !== undefined) {
          causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: "": may not be specified when `value` is not empty', field: `${at}.env[${j}].valueFrom` });
        }
      });
      const paths = new Set<string>();
      (c.volumeMounts as Record<string, any>[] | undefined ?? []).forEach((m, j) => {
        const mat = `${at}.volumeMounts[${j}]`;
        if (!volumeNames.has(m.name)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(m.name)}`, field: `${mat}.name` });
        if (!m.mountPath) causes.push(required(`${mat}.mountPath`));
        else if (paths.has(m.mountPath)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(m.mountPath)}: must be unique`, field: `${mat}.mountPath` });
        paths.add(m.mountPath);
        const sub = m.subPath as string | undefined;
        if (sub && (sub.startsWith('/') || sub.split('/').includes('..'))) {
          causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(sub)}: must be a relative path without '..'`, field: `${mat}.subPath` });
        }
      });
    });
  }
  return causes;
}

function pvcCauses(spec: Record<string, any> | undefined): StatusCause[] {
  if (!spec) return [required('spec')];
  const causes: StatusCause[] = [];
  const modes: unknown[] = spec.accessModes ?? [];
  if (modes.length === 0) causes.push({ reason: 'FieldValueRequired', message: 'Required value: at least 1 access mode is required', field: 'spec.accessModes' });
  for (const m of modes) {
    if (!['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'].includes(String(m))) {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(m)}: supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"`, field: 'spec.accessModes' });
    }
  }
  const storage = spec.resources?.requests?.storage;
  if (storage === undefined) causes.push(required('spec.resources[storage]'));
  else if (!QUANTITY.test(String(storage)) || Number.parseFloat(String(storage)) <= 0) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(storage)}: must be greater than zero`, field: 'spec.resources[storage]' });
  }
  return causes;
}

function dataCauses(obj: KubeObject, base64: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const field of ['data', 'stringData', 'binaryData']) {
    for (const [k, v] of Object.entries((obj[field] ?? {}) as Record<string, unknown>)) {
      if (!DATA_KEY.test(k)) causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(k)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'`, field: `${field}[${k}]` });
      const isB64 = (base64 && field === 'data') || field === 'binaryData';
      if (isB64 && typeof v === 'string' && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
        causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: "<secret contents redacted>": illegal base64 data', field: `${field}[${k}]` });
      }
    }
  }
  return causes;
}

function bindingCauses(obj: KubeObject, namespaced: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const ref = obj.roleRef as Record<string, unknown> | undefined;
  if (ref) {
    if (ref.apiGroup !== 'rbac.authorization.k8s.io') causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(ref.apiGroup)}: supported values: "rbac.authorization.k8s.io"`, field: 'roleRef.apiGroup' });
    const kinds = namespaced ? ['ClusterRole', 'Role'] : ['ClusterRole'];
    if (!kinds.includes(String(ref.kind))) causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: ${kinds.map((k) => `"${k}"`).join(', ')}`, field: 'roleRef.kind' });
    if (!ref.name) causes.push(required('roleRef.name'));
  }
  ((obj.subjects ?? []) as Record<string, unknown>[]).forEach((s, i) => {
    if (!['ServiceAccount', 'User', 'Group'].includes(String(s.kind))) {
      causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(s.kind)}: supported values: "ServiceAccount", "User", "Group"`, field: `subjects[${i}].kind` });
    }
    if (s.kind === 'ServiceAccount') {
      causes.push(...nameCauses('subdomain', `subjects[${i}].name`, s.name));
      if (!namespaced && !s.namespace) causes.push(required(`subjects[${i}].namespace`));
    }
  });
  return causes;
}

/** Per-kind semantic rules the schema cannot express (names of containers, volume references, PVC sizes…). */
export function kindCauses(def: ResourceDef, obj: KubeObject): StatusCause[] {
  switch (def.kind) {
    case 'Pod': return podCauses(obj.spec);
    case 'PersistentVolumeClaim': return pvcCauses(obj.spec);
    case 'Secret': return dataCauses(obj, true);
    case 'ConfigMap': return dataCauses(obj, false);
    case 'RoleBinding': return bindingCauses(obj, true);
    case 'ClusterRoleBinding': return bindingCauses(obj, false);
    default: return [];
  }
}
