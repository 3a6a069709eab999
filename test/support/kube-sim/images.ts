import type Docker from 'dockerode';

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
