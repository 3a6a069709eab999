import type Docker from 'dockerode';
import { LABELS, objectName, type DriverWorkspace } from '../driver';
import { KEEPALIVE } from '../lifecycle';
import { referenceMetadata, runtimeMeta, type ResolvedDevcontainer } from '../devcontainer';
import type { AllowedRun } from './image-policy';

/** Label holding what start and exec need later (see RuntimeMeta). */
export const RUNTIME_LABEL = 'workbay.dev/runtime';


/** Labels on every object of a workspace. */
export function workspaceLabels(ws: DriverWorkspace): Record<string, string> {
  return { [LABELS.workspaceId]: ws.id, [LABELS.managedBy]: 'workbay', [LABELS.owner]: ws.owner, ...(ws.instance ? { [LABELS.instance]: ws.instance } : {}) };
}

/**
 * Pure builder of the container create request from a resolved devcontainer config, plus what the
 * policy allowed the image's label to add and the resource limits it decided (see judgeImage).
 */
export function containerSpec(ws: DriverWorkspace, r: ResolvedDevcontainer, image: string, allowed?: AllowedRun): Docker.ContainerCreateOptions {
  const c = r.config;
  const env = { ...c.containerEnv, ...c.runArgs.env };
  const meta = allowed?.metadata;
  const capAdd = [...c.runArgs.capAdd, ...(meta?.capAdd ?? [])];
  const securityOpt = [...c.runArgs.securityOpt, ...(meta?.securityOpt ?? [])];
  const privileged = c.runArgs.privileged || !!meta?.privileged;
  const devices = c.runArgs.devices ?? [];
  const mounts: Docker.MountSettings[] = [
    { Type: 'volume', Source: objectName(ws.id), Target: c.workspaceMount?.target ?? r.workspaceFolder },
    // The spec's merge: mounts are collected and the last one per target wins.
    ...[...new Map([...(meta?.mounts ?? []), ...c.mounts, ...(c.runArgs.mounts ?? [])].map((m) => [m.target, m])).values()].map((m) => ({
      Type: m.type, Target: m.target, ...(m.source ? { Source: m.source } : {}), ...(m.readonly ? { ReadOnly: true } : {}),
    } as Docker.MountSettings)),
  ];
  return {
    name: objectName(ws.id),
    ...(c.runArgs.platform ? { platform: c.runArgs.platform } : {}),
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
      ...(capAdd.length ? { CapAdd: capAdd } : {}),
      ...(securityOpt.length ? { SecurityOpt: securityOpt } : {}),
      ...(privileged ? { Privileged: true } : {}),
      ...(devices.length ? { Devices: devices.map(deviceMapping) } : {}),
      ...(c.runArgs.pid ? { PidMode: c.runArgs.pid } : {}),
      ...(c.runArgs.ipc ? { IpcMode: c.runArgs.ipc } : {}),
      ...allowed?.limits,
      Init: !!(c.runArgs.init || meta?.init),
    },
  };
}

/** `--device /dev/x[:/dev/y[:rwm]]` as the Engine API wants it. */
function deviceMapping(spec: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host, inContainer, perms] = spec.split(':');
  return { PathOnHost: host!, PathInContainer: inContainer || host!, CgroupPermissions: perms || 'rwm' };
}
