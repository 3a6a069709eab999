import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { FeatureFiles } from './types';

/** A Feature bigger than this is refused: it is install scripts, not payload. */
export const MAX_FEATURE_BYTES = 50 * 1024 * 1024;

/**
 * Reads a tar (or gzipped tar) into a file map. `strip` drops that many leading path segments
 * (an engine archive of a folder starts with the folder's name). Links and devices are skipped;
 * paths that climb out (`..`) are refused.
 */
export async function filesFromTar(source: Buffer | NodeJS.ReadableStream, strip = 0): Promise<FeatureFiles> {
  let input: NodeJS.ReadableStream;
  if (Buffer.isBuffer(source)) {
    const plain = source[0] === 0x1f && source[1] === 0x8b ? gunzipSync(source, { maxOutputLength: MAX_FEATURE_BYTES }) : source;
    input = Readable.from([plain]);
  } else input = source;
  const files: FeatureFiles = new Map();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const extract = tar.extract();
    extract.on('entry', (header, body, next) => {
      const name = posix.normalize(header.name.split('/').filter((p) => p !== '' && p !== '.').slice(strip).join('/'));
      const chunks: Buffer[] = [];
      body.on('data', (chunk: unknown) => {
        const c = chunk as Buffer;
        total += c.length;
        if (total > MAX_FEATURE_BYTES) extract.destroy(new Error(`the Feature is larger than ${MAX_FEATURE_BYTES / 1024 / 1024} MiB`));
        else chunks.push(c);
      });
      body.on('end', () => {
        if (header.type === 'file' && name !== '.' && !name.startsWith('..')) files.set(name, { content: Buffer.concat(chunks), mode: header.mode ?? 0o644 });
        next();
      });
      body.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    (input as Readable).on('error', (e) => extract.destroy(e));
    (input as Readable).pipe(extract);
  });
  return files;
}

/** Adds a file map under `prefix` to a tar pack. */
export function packFiles(pack: tar.Pack, prefix: string, files: FeatureFiles): void {
  for (const [name, f] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    pack.entry({ name: `${prefix}/${name}`, mode: f.mode, mtime: new Date(0) }, f.content);
  }
}
