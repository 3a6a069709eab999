import Docker from 'dockerode';
import tar from 'tar-stream';

/** A dockerode client for `unix:///path` or `tcp://host:port` (plain). */
export function dockerClient(dockerHost: string): Docker {
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') return new Docker({ socketPath: url.pathname });
  if (url.protocol === 'tcp:' || url.protocol === 'http:') return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol: 'http' });
  throw new Error(`kube-sim: unsupported docker host ${dockerHost} (use unix:// or tcp://)`);
}

/** The registry host of an image reference, if it names one (`127.0.0.1:5000/x` → `127.0.0.1:5000`). */
export function registryHost(image: string): string | undefined {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : undefined;
}

/** True for registries on loopback, the only ones the tests may talk to. */
export function isLoopbackRegistry(image: string): boolean {
  const host = registryHost(image);
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/** Pulls from a loopback registry, reading the progress stream to the end and failing on any error event. */
export async function pullLoopback(docker: Docker, image: string): Promise<void> {
  const stream = await docker.pull(image);
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: Array<{ error?: string }>) => {
      const failed = err ?? output.find((o) => o.error);
      if (failed) reject(failed instanceof Error ? failed : new Error(String(failed.error)));
      else resolve();
    });
  });
}

/** Local image id and configured user, or undefined when the image is not on the engine. */
export async function localImage(docker: Docker, image: string): Promise<{ id: string; user: string } | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    return { id: info.Id, user: info.Config?.User ?? '' };
  } catch {
    return undefined;
  }
}

/** A file to place into a container before it starts. */
export interface FileEntry {
  path: string;
  content: Buffer;
  mode: number;
}

/** A tar rooted at `/` holding the files and their parent directories (PUT /archive needs an existing target dir). */
export async function tarOf(files: FileEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!dirs.has(dir)) pack.entry({ name: dir, type: 'directory', mode: 0o755 });
      dirs.add(dir);
    }
    pack.entry({ name: parts.join('/'), mode: f.mode }, f.content);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
