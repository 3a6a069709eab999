import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { MARKER_DIR } from '../lifecycle';
import { engine, isMissing } from './errors';

/** Makes the marker directory (world-writable, sticky: hooks run as the remote user) and reads the markers. */
export async function prepareMarkers(container: Docker.Container): Promise<Map<string, string>> {
  const markers = new Map<string, string>();
  let stream: NodeJS.ReadableStream | undefined;
  try {
    stream = await container.getArchive({ path: MARKER_DIR });
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if (!stream) {
    const pack = tar.pack();
    pack.entry({ name: 'var/workbay/', type: 'directory', mode: 0o1777 });
    pack.finalize();
    await engine('creating the marker directory', () => container.putArchive(pack as never, { path: '/' }));
    return markers;
  }
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

