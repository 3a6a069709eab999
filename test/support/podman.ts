import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

/** A private Podman service answering the Docker Engine API on a unix socket under /tmp. */
export interface PodmanEngine {
  /** `unix:///tmp/workbay-podman-…/podman.sock` */
  host: string;
  socketPath: string;
  /** containers.conf of this service (the sandbox needs its ulimits); give it to a podman CLI as CONTAINERS_CONF. */
  containersConf: string;
  client: Docker;
  close(): Promise<void>;
}

// Podman's default ulimits exceed what this sandbox allows; containers fail to start without this.
const CONTAINERS_CONF = '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n';

/**
 * Starts `podman system service` with private storage (vfs, under /tmp) so nothing of the machine's
 * own Podman is touched, and copies `images` into it from `source` (Podman has no registry here).
 * Fails naming the package when podman is missing: never a silent skip.
 */
export async function startPodman(source: Docker, images: string[]): Promise<PodmanEngine> {
  if (spawnSync('sh', ['-c', 'command -v podman'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('the Podman tests need podman: apt-get install -y --no-install-recommends podman (test/support/provision.ts lists it)');
  }
  const dir = mkdtempSync('/tmp/workbay-podman-');
  const containersConf = join(dir, 'containers.conf');
  writeFileSync(containersConf, CONTAINERS_CONF);
  const socketPath = join(dir, 'podman.sock');
  const host = `unix://${socketPath}`;
  const child: ChildProcess = spawn('podman', [
    '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs',
    '--tmpdir', join(dir, 'tmp'), 'system', 'service', '--time=0', host,
  ], { env: { ...process.env, CONTAINERS_CONF: containersConf }, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr = `${stderr}${d}`.slice(-4000); });
  const client = new Docker({ socketPath });
  const close = async () => {
    for (const c of await client.listContainers({ all: true }).catch(() => [])) await client.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
    const exited = new Promise((r) => child.once('exit', r));
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (await client.ping().then(() => true, () => false)) break;
      if (child.exitCode !== null || i > 120) throw new Error(`podman system service did not come up on ${host}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const image of images) {
      const tarball = await source.getImage(image).get();
      const loading = await client.loadImage(tarball as never);
      await new Promise((resolve, reject) => client.modem.followProgress(loading as never, (err: unknown) => (err ? reject(err) : resolve(undefined))));
    }
  } catch (err) {
    // A half-started service must not outlive the test file that started it.
    await close();
    throw err;
  }
  return { host, socketPath, containersConf, client, close };
}
