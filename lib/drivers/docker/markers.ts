import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { MARKER_DIR } from '../lifecycle';
import { engine, isMissing } from './errors';

/**
 * Reads the run-once markers (marker name -> stamp); empty when the marker directory does not exist
 * yet. Reading costs one archive request and no exec, so a restart whose hooks all ran runs none.
 */
export async function readMarkers(container: Docker.Container): Promise<Map<string, string>> {
  const markers = new Map<string, string>();
  let stream: NodeJS.ReadableStream | undefined;
  try {
    stream = await container.getArchive({ path: MARKER_DIR });
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if (!stream) return markers;
  await new Promise<void>((resolve, reject) => {
    const extract = tar.extract();
    extract.on('entry', (h, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      body.on('end', () => {
        if (h.type === 'file') markers.set(h.name.split('/').pop()!, Buffer.concat(chunks).toString('utf8'));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    (stream as Readable).on('error', (e) => extract.destroy(e));
    (stream as Readable).pipe(extract);
  });
  return markers;
}

/**
 * Makes the marker directory world-writable and sticky (hooks run as the remote user), through the
 * archive API so it needs no shell and no root user in the image. Only when a hook's own exec could
 * not make it (a non-root remote user): that first exec makes it otherwise.
 */
export async function makeMarkerDir(container: Docker.Container): Promise<void> {
  const pack = tar.pack();
  pack.entry({ name: 'var/workbay/', type: 'directory', mode: 0o1777 });
  pack.finalize();
  // tar-stream's pack is a streamx Readable, which pipes like a Node stream but is not typed as one.
  await engine('creating the marker directory', () => container.putArchive(pack as unknown as NodeJS.ReadableStream, { path: '/' }));
}
