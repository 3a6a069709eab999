import type { ContainerCreateOptions } from 'dockerode';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { FileEntry } from './docker-util';
import { findResource } from './resources';
import type { KubeObject, ObjectStore } from './store';
import type { VolumeManager } from './volumes';

const SECRETS = findResource('', 'v1', 'secrets')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;

/** The container cannot be configured (reported as waiting `CreateContainerConfigError`). */
export class ConfigError extends Error {}
/** A volume is not ready yet (reported as `ContainerCreating` with a FailedMount event, then retried). */
export class MountWaitError extends Error {}


/** Everything needed to create one container on Docker. */
export interface PreparedContainer {
  options: ContainerCreateOptions;
  /** Secret and configMap volume files, copied in before the container starts. */
  files: FileEntry[];
  /** Volumes this simulator does not mount, for a warning event. */
  skipped: string[];
}

function expand(s: string, env: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && env.has(name) ? env.get(name)! : m));
}

function dataOf(obj: KubeObject, isSecret: boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries((obj.data ?? {}) as Record<string, string>)) out.set(k, Buffer.from(v, isSecret ? 'base64' : 'utf8'));
  for (const [k, v] of Object.entries((obj.binaryData ?? {}) as Record<string, string>)) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function lookup(store: ObjectStore, ns: string, secret: boolean, name: string): KubeObject | undefined {
  return store.get(secret ? SECRETS : CONFIGMAPS, ns, name);
}

function fieldRef(pod: KubeObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return String((pod.metadata[m[1]!] as Record<string, string> | undefined)?.[m[2]!] ?? '');
  const simple: Record<string, unknown> = {
    'metadata.name': pod.metadata.name, 'metadata.namespace': pod.metadata.namespace, 'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec?.nodeName, 'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.hostIP': '127.0.0.1', 'status.podIP': '127.0.0.1', 'status.podIPs': '127.0.0.1', 'status.hostIPs': '127.0.0.1',
  };
  if (!(path in simple)) throw new ConfigError(`unsupported fieldRef ${path}`);
  return String(simple[path] ?? '');
}

/** Resolves `env` and `envFrom` (values, secret/configMap refs, fieldRef) with `$(VAR)` expansion. */
export function resolveEnv(store: ObjectStore, pod: KubeObject, c: IContainer): Map<string, string> {
  const ns = pod.metadata.namespace!;
  const env = new Map<string, string>();
  for (const src of c.envFrom ?? []) {
    const ref = src.secretRef ?? src.configMapRef;
    if (!ref) continue;
    const isSecret = !!src.secretRef;
    const obj = lookup(store, ns, isSecret, String(ref.name));
    if (!obj) {
      if (ref.optional) continue;
      throw new ConfigError(`${isSecret ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of dataOf(obj, isSecret)) env.set(`${src.prefix ?? ''}${k}`, v.toString('utf8'));
  }
  for (const e of c.env ?? []) {
    const from = e.valueFrom;
    if (!from) {
      env.set(e.name, expand(e.value ?? '', env));
      continue;
    }
    const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
    if (keyRef) {
      const isSecret = !!from.secretKeyRef;
      const obj = lookup(store, ns, isSecret, String(keyRef.name));
      const value = obj && dataOf(obj, isSecret).get(keyRef.key);
      if (value === undefined) {
        if (keyRef.optional) continue;
        throw new ConfigError(obj ? `couldn't find key ${keyRef.key} in ${isSecret ? 'Secret' : 'ConfigMap'} ${ns}/${keyRef.name}` : `${isSecret ? 'secret' : 'configmap'} "${keyRef.name}" not found`);
      }
      env.set(e.name, value.toString('utf8'));
    } else if (from.fieldRef) {
      env.set(e.name, fieldRef(pod, from.fieldRef.fieldPath));
    } else {
      throw new ConfigError(`kube-sim does not support this valueFrom for env ${e.name} (only secretKeyRef, configMapKeyRef, fieldRef)`);
    }
  }
  return env;
}

function volumeFiles(store: ObjectStore, ns: string, vol: IVolume, mountPath: string, subPath: string | undefined): FileEntry[] {
  const src = vol.secret ?? vol.configMap;
  const isSecret = !!vol.secret;
  const name = String(vol.secret?.secretName ?? vol.configMap?.name);
  const obj = lookup(store, ns, isSecret, name);
  if (!obj) {
    if (src?.optional) return [];
    throw new MountWaitError(`MountVolume.SetUp failed for volume "${vol.name}" : ${isSecret ? 'secret' : 'configmap'} "${name}" not found`);
  }
  const data = dataOf(obj, isSecret);
  const mode = src?.defaultMode ?? 420;
  const items = src?.items ?? [...data.keys()].map((key) => ({ key, path: key, mode: undefined as number | undefined }));
  const files = items.filter((i) => data.has(i.key)).map((i) => ({ path: i.path, content: data.get(i.key)!, mode: i.mode ?? mode }));
  if (subPath !== undefined) return files.filter((f) => f.path === subPath).map((f) => ({ ...f, path: mountPath }));
  return files.map((f) => ({ ...f, path: `${mountPath.replace(/\/$/, '')}/${f.path}` }));
}

/** Turns a pod container into Docker create options: command/args, env, user, privileges, host network and volumes. */
export async function prepareContainer(store: ObjectStore, volumes: VolumeManager, pod: KubeObject, c: IContainer,
  name: string, labels: Record<string, string>, imageUser: string, claimUids: Set<string>): Promise<PreparedContainer> {
  const ns = pod.metadata.namespace!;
  const env = resolveEnv(store, pod, c);
  const sc = { ...(pod.spec?.securityContext ?? {}), ...(c.securityContext ?? {}) } as Record<string, any>;
  const user = sc.runAsUser !== undefined ? (sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser)) : undefined;
  if (sc.runAsNonRoot) {
    const effective = (user ?? imageUser).split(':')[0] ?? '';
    if (effective !== '' && !/^\d+$/.test(effective)) throw new ConfigError(`container has runAsNonRoot and image has non-numeric user (${effective}), cannot verify user is non-root (pod: "${pod.metadata.name}_${ns}(${pod.metadata.uid})", container: ${c.name})`);
    if (effective === '' || effective === '0') throw new ConfigError(`container has runAsNonRoot and image will run as root (pod: "${pod.metadata.name}_${ns}(${pod.metadata.uid})", container: ${c.name})`);
  }
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  const files: FileEntry[] = [];
  const skipped: string[] = [];
  const podVolumes: IVolume[] = pod.spec?.volumes ?? [];
  const bindOf = async (volume: string, m: { mountPath: string; subPath?: string; readOnly?: boolean }): Promise<string> => {
    if (m.subPath) return `${await volumes.mountpoint(volume)}/${m.subPath}:${m.mountPath}${m.readOnly ? ':ro' : ''}`;
    return `${volume}:${m.mountPath}:${m.readOnly ? 'ro,' : ''}nocopy`;
  };
  for (const m of c.volumeMounts ?? []) {
    const vol = podVolumes.find((v) => v.name === m.name);
    if (!vol) continue;
    if (vol.persistentVolumeClaim) {
      const claim = vol.persistentVolumeClaim.claimName;
      const pvc = store.get(PVCS, ns, claim);
      const dv = pvc && volumes.pvcVolume(pvc.metadata.uid);
      if (!pvc || !dv) throw new MountWaitError(`persistentvolumeclaim "${claim}" is not bound`);
      claimUids.add(pvc.metadata.uid);
      binds.push(await bindOf(dv, m));
    } else if (vol.emptyDir) {
      if (vol.emptyDir.medium === 'Memory') tmpfs[m.mountPath] = '';
      else binds.push(await bindOf(await volumes.emptyDir(pod.metadata.uid, vol.name), m));
    } else if (vol.secret || vol.configMap) {
      files.push(...volumeFiles(store, ns, vol, m.mountPath, m.subPath));
    } else {
      const type = Object.keys(vol).find((k) => k !== 'name') ?? 'unknown';
      skipped.push(`${vol.name} (${type})`);
    }
  }
  const options: ContainerCreateOptions = {
    name, Image: c.image, Labels: labels, Env: [...env].map(([k, v]) => `${k}=${v}`),
    Tty: !!c.tty, OpenStdin: !!c.stdin, StdinOnce: !!c.stdinOnce, AttachStdin: false, AttachStdout: false, AttachStderr: false,
    HostConfig: {
      NetworkMode: 'host', Binds: binds, Tmpfs: tmpfs, Privileged: !!sc.privileged,
      CapAdd: sc.capabilities?.add, CapDrop: sc.capabilities?.drop, ReadonlyRootfs: !!sc.readOnlyRootFilesystem,
      SecurityOpt: sc.allowPrivilegeEscalation === false ? ['no-new-privileges'] : [],
    },
  };
  if (c.command) options.Entrypoint = c.command.map((a) => expand(a, env));
  if (c.args) options.Cmd = c.args.map((a) => expand(a, env));
  if (c.workingDir) options.WorkingDir = c.workingDir;
  if (user) options.User = user;
  return { options, files, skipped };
}
