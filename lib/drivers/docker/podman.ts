import { posix } from 'node:path';

/** Rootful Podman's Docker-compatible API socket (`podman.socket` / `podman system service`). */
export const PODMAN_ROOTFUL_HOST = 'unix:///run/podman/podman.sock';

/** True when the provider's `path` names Podman (`podman`, `/usr/bin/podman`, `podman-remote` is not). */
export function isPodmanPath(cliPath: string): boolean {
  return posix.basename(cliPath.trim()) === 'podman';
}

/**
 * Podman's default API socket for the control plane's own user: rootless Podman listens under
 * `$XDG_RUNTIME_DIR/podman/podman.sock`, rootful under /run/podman. Called once at process start by
 * the runtime wiring (drivers never read the environment themselves).
 */
export function podmanDefaultHost(uid: number | undefined, xdgRuntimeDir: string | undefined): string {
  if (uid !== 0 && xdgRuntimeDir) return `unix://${posix.join(xdgRuntimeDir, 'podman', 'podman.sock')}`;
  return PODMAN_ROOTFUL_HOST;
}

/**
 * The argv prefix a person runs to reach the same engine: the podman CLI ignores DOCKER_HOST and takes
 * `--url` instead, so the engine goes on the command line. The docker CLI reads DOCKER_HOST from the
 * connection info's env. Podman's ssh form names the remote socket in the URL's path.
 */
export function attachPrefix(cliPath: string, host: string, remoteSocket?: string): string[] {
  if (!isPodmanPath(cliPath)) return [cliPath];
  const url = host.startsWith('ssh://') && remoteSocket ? `${host.replace(/\/+$/, '')}${remoteSocket}` : host;
  return [cliPath, '--url', url];
}

interface HostMounts {
  Binds?: string[];
  Mounts?: { Type?: string; Source?: string; Target?: string }[];
}

/**
 * Podman's inspect reports named-volume mounts (asked for as HostConfig.Mounts) as `vol:/path:opts`
 * entries of HostConfig.Binds. Moves such named-volume entries back to Mounts so that a container is
 * judged the same on both engines (the workspace's own volume included); host binds stay Binds.
 */
export function volumeBindsAsMounts<T extends HostMounts>(hc: T): T {
  const named = (b: string) => !b.startsWith('/');
  const binds = hc.Binds ?? [];
  if (!binds.some(named)) return hc;
  const moved = binds.filter(named).map((b) => {
    const [source, target] = b.split(':');
    return { Type: 'volume', Source: source, Target: target };
  });
  return { ...hc, Binds: binds.filter((b) => !named(b)), Mounts: [...(hc.Mounts ?? []), ...moved] };
}
