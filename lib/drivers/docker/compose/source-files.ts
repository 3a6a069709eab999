import type Docker from 'dockerode';
import tar from 'tar-stream';
import type { DriverWorkspace } from '../../driver';
import { readSourceFolder, type HelperSettings } from '../source';

/** Compose files and env files are small; a bigger one is refused rather than read into memory. */
const MAX_FILE_BYTES = 1024 * 1024;

/** The first regular file of an engine archive (symlinks are not followed: a link in the repo never reads the engine's files). */
async function firstFile(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  const extract = tar.extract();
  let found: string | undefined;
  let tooBig = false;
  extract.on('entry', (header, body, next) => {
    if (header.type !== 'file' || found !== undefined) {
      body.on('end', next);
      body.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (c: unknown) => {
      const chunk = c as Buffer;
      size += chunk.length;
      if (size <= MAX_FILE_BYTES) chunks.push(chunk);
      else tooBig = true;
    });
    body.on('end', () => {
      found = tooBig ? undefined : Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', (e) => extract.destroy(e as Error));
    stream.pipe(extract);
  });
  if (tooBig) throw new Error(`larger than ${MAX_FILE_BYTES} bytes`);
  return found;
}

/** Reads a file of the workspace source (a path within it); undefined when it is not there or not a regular file. */
export function sourceFileReader(docker: Docker, ws: DriverWorkspace, helper: HelperSettings): (path: string) => Promise<string | undefined> {
  return async (path) => (await readSourceFolder(docker, ws, helper, path, firstFile)) ?? undefined;
}
