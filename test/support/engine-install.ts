import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';

/**
 * An SSH test host's "engine install" for `install: true`: a script that starts a private dockerd on
 * a socket that does not exist yet (so the host has no engine until it runs), loads the test images
 * the test image into it (no registry here) and counts its runs.
 */
export interface InstallHost {
  /** The engine socket on the host (DOCKER_SSH_SOCKET); absent until the script ran. */
  socket: string;
  /** DOCKER_INSTALL_COMMAND */
  command: string;
  /** How often the script ran. */
  runs(): number;
  close(): Promise<void>;
}

/** Writes the install script and the image tarball under a short /tmp dir (socket paths are limited). */
export async function prepareInstallHost(source: Docker, image: string): Promise<InstallHost> {
  const dir = mkdtempSync('/tmp/wb-inst-');
  const socket = join(dir, 'docker.sock');
  await pipeline(await source.getImage(image).get(), createWriteStream(join(dir, 'images.tar')));
  const script = join(dir, 'install.sh');
  writeFileSync(script, [
    'set -e',
    `echo run >> ${dir}/runs`,
    'echo "starting a private dockerd"',
    `setsid dockerd --host unix://${socket} --data-root ${dir}/data --exec-root ${dir}/exec --pidfile ${dir}/dockerd.pid \\`,
    `  --bridge=none --iptables=false --ip6tables=false </dev/null >${dir}/dockerd.log 2>&1 &`,
    'i=0',
    `until docker -H unix://${socket} version >/dev/null 2>&1; do i=$((i+1)); [ $i -gt 240 ] && { echo "dockerd did not start"; exit 1; }; sleep 0.5; done`,
    `docker -H unix://${socket} load -i ${dir}/images.tar`,
    'echo "engine ready"',
  ].join('\n') + '\n');
  const pidFile = join(dir, 'dockerd.pid');
  return {
    socket, command: `sh ${script}`,
    runs: () => (existsSync(join(dir, 'runs')) ? readFileSync(join(dir, 'runs'), 'utf8').split('\n').filter(Boolean).length : 0),
    close: async () => {
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
        for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
      }
      try { rmSync(dir, { recursive: true, force: true }); } catch { /* a mount dockerd left behind */ }
    },
  };
}
