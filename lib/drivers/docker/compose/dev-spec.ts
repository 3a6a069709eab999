import { posix } from 'node:path';
import type Docker from 'dockerode';
import type { ServiceSpec } from './service-spec';

const envMap = (env: string[] | undefined) => new Map((env ?? []).map((e) => [e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('=')), e]));
const union = (a?: string[] | null, b?: string[] | null) => [...new Set([...(a ?? []), ...(b ?? [])])];
const covers = (target: string, folder: string) => {
  const t = posix.normalize(target).replace(/\/+$/, '') || '/';
  const f = posix.normalize(folder);
  return t === '/' || f === t || f.startsWith(`${t}/`);
};

/**
 * The dev service's create request: the Compose service with what the single-container path gives
 * on top (`dev` is containerSpec's request for the same workspace): the Features image, the
 * devcontainer labels (workspace id, `devcontainer.metadata`, runtime), containerEnv over the
 * service's environment, containerUser, the keep-alive command when `overrideCommand` is true,
 * the devcontainer's mounts, capabilities and limits. The workspace volume is mounted at the
 * workspace folder unless a source bind of the service already covers it (or the folder is `/`).
 */
export function devServiceSpec(svc: ServiceSpec, dev: Docker.ContainerCreateOptions, workspaceFolder: string, overrideCommand: boolean): ServiceSpec {
  const s = svc.create;
  const sh = s.HostConfig ?? {};
  const dh = dev.HostConfig ?? {};
  const [workspaceMount, ...devMounts] = dh.Mounts ?? [];
  const own = sh.Mounts ?? [];
  // With no workspaceFolder the spec's default is "/", where no volume can go; the compose file mounts the source then.
  const sourceCovers = posix.normalize(workspaceFolder) === '/' || own.some((m) => m.Type === 'volume' && m.Source === workspaceMount?.Source && covers(m.Target, workspaceFolder));
  // The spec's merge: the last mount per target wins.
  const mounts = [...new Map([...(sourceCovers || !workspaceMount ? [] : [workspaceMount]), ...own, ...devMounts].map((m) => [m.Target, m])).values()];
  const env = new Map([...envMap(s.Env), ...envMap(dev.Env)]);
  const capAdd = union(sh.CapAdd, dh.CapAdd);
  const securityOpt = union(sh.SecurityOpt, dh.SecurityOpt);
  const create: Docker.ContainerCreateOptions = {
    ...s,
    ...(dev.platform ? { platform: dev.platform } : {}),
    Image: dev.Image,
    Labels: { ...s.Labels, ...dev.Labels },
    Env: [...env.values()],
    WorkingDir: s.WorkingDir ?? dev.WorkingDir,
    ...(dev.User ? { User: dev.User } : {}),
    ...(overrideCommand ? { Entrypoint: dev.Entrypoint, Cmd: dev.Cmd } : {}),
    HostConfig: {
      ...sh,
      Mounts: mounts,
      ...(capAdd.length ? { CapAdd: capAdd } : {}),
      ...(securityOpt.length ? { SecurityOpt: securityOpt } : {}),
      ...(sh.Privileged || dh.Privileged ? { Privileged: true } : {}),
      Init: !!(sh.Init || dh.Init),
      ...(dh.Devices?.length ? { Devices: dh.Devices } : {}),
      ...(dh.PidMode ? { PidMode: dh.PidMode } : {}),
      ...(dh.IpcMode ? { IpcMode: dh.IpcMode } : {}),
      ...(dh.NanoCpus ? { NanoCpus: dh.NanoCpus } : {}),
      ...(dh.Memory ? { Memory: dh.Memory } : {}),
    },
  };
  return { create, connect: svc.connect };
}
