import type Docker from 'dockerode';
import { LABELS, objectName, type DriverWorkspace } from '../driver';
import { KEEPALIVE } from '../lifecycle';
import { referenceMetadata, runtimeMeta, type ResolvedDevcontainer } from '../devcontainer';

/** Label holding what start and exec need later (see RuntimeMeta). */
export const RUNTIME_LABEL = 'workbay.dev/runtime';


/** Labels on every object of a workspace. */
export function workspaceLabels(ws: DriverWorkspace): Record<string, string> {
  return { [LABELS.workspaceId]: ws.id, [LABELS.managedBy]: 'workbay', [LABELS.owner]: ws.owner };
}

/** Pure builder of the container create request from a resolved devcontainer config. */
export function containerSpec(ws: DriverWorkspace, r: ResolvedDevcontainer, image: string): Docker.ContainerCreateOptions {
  const c = r.config;
  const env = { ...c.containerEnv, ...c.runArgs.env };
  const mounts: Docker.MountSettings[] = [
    { Type: 'volume', Source: objectName(ws.id), Target: c.workspaceMount?.target ?? r.workspaceFolder },
    ...c.mounts.map((m) => ({
      Type: m.type, Target: m.target, ...(m.source ? { Source: m.source } : {}), ...(m.readonly ? { ReadOnly: true } : {}),
    } as Docker.MountSettings)),
  ];
  return {
    name: objectName(ws.id),
    Image: image,
    Labels: {
      ...c.runArgs.labels,
      ...workspaceLabels(ws),
      [LABELS.devcontainerId]: ws.id,
      [LABELS.metadata]: referenceMetadata(r),
      [RUNTIME_LABEL]: JSON.stringify(runtimeMeta(r)),
    },
    Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    WorkingDir: r.workspaceFolder,
    ...(c.containerUser ? { User: c.containerUser } : {}),
    ...(c.overrideCommand ? { Entrypoint: ['/bin/sh', '-c', KEEPALIVE], Cmd: [] } : {}),
    HostConfig: {
      Mounts: mounts,
      ...(c.runArgs.network ? { NetworkMode: c.runArgs.network } : {}),
      ...(c.runArgs.capAdd.length ? { CapAdd: c.runArgs.capAdd } : {}),
      ...(c.runArgs.securityOpt.length ? { SecurityOpt: c.runArgs.securityOpt } : {}),
      ...(c.runArgs.privileged ? { Privileged: true } : {}),
      Init: false,
    },
  };
}
