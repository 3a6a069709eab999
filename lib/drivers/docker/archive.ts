import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { isMissing } from './errors';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../timings';

/** One file read from a container's filesystem through the archive API (no tools needed in the image). */
export interface ArchiveFile { content: Buffer; mtime?: Date }

/** Reads a single file from a container (running or not); undefined when it does not exist. */
export async function readFileFrom(container: Docker.Container, path: string, t: Pick<DriverTimings, 'archiveReadRetries' | 'archiveReadDelayMs'> = DEFAULT_DRIVER_TIMINGS): Promise<ArchiveFile | undefined> {
  let stream: NodeJS.ReadableStream;
  for (let attempt = 0; ; attempt++) {
    try {
      stream = await container.getArchive({ path });
      break;
    } catch (err) {
      // Podman now and then answers "no such container" for a running one while it mounts its storage.
      if (isMissing(err) && /no such container/i.test(String((err as Error).message)) && attempt < t.archiveReadRetries) {
        await new Promise((r) => setTimeout(r, t.archiveReadDelayMs));
        continue;
      }
      if (isMissing(err)) return undefined;
      throw err;
    }
  }
  return new Promise((resolve, reject) => {
    const extract = tar.extract();
    let found: ArchiveFile | undefined;
    extract.on('entry', (header, body, next) => {
      const chunks: Buffer[] = [];
      body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
      body.on('end', () => {
        if (!found && header.type === 'file') found = { content: Buffer.concat(chunks), mtime: header.mtime };
        next();
      });
      body.resume();
    });
    extract.on('finish', () => resolve(found));
    extract.on('error', reject);
    // The engine's response stream fails on its own (connection reset): unhandled, that ends the process.
    (stream as Readable).on('error', (e) => extract.destroy(e));
    (stream as Readable).pipe(extract);
  });
}

/**
 * Re-packs a directory archive from the engine with the leading directory stripped, so it can be
 * sent as a build context whose root is that directory.
 */
export function stripFirstDir(source: NodeJS.ReadableStream): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  extract.on('entry', (header, body, next) => {
    const name = header.name.split('/').slice(1).join('/');
    if (!name) {
      body.resume();
      body.on('end', next);
      return;
    }
    body.pipe(pack.entry({ ...header, name }, next));
  });
  extract.on('finish', () => pack.finalize());
  extract.on('error', (e) => pack.destroy(e));
  (source as Readable).on('error', (e) => extract.destroy(e));
  (source as Readable).pipe(extract);
  return pack as unknown as Readable;
}
