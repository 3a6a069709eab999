import tar from 'tar-stream';
import { WorkbayError } from '../errors';

/** Entry types a folder archive may hold; devices, fifos and hard links have no place in a source folder. */
const ALLOWED = new Set(['file', 'directory', 'symlink']);

/** Why an entry name is refused, or undefined when it is a plain relative path. */
function nameProblem(name: string): string | undefined {
  if (name.includes('\u0000')) return 'contains a NUL character';
  if (name.startsWith('/')) return 'is absolute';
  if (name.split('/').some((p) => p === '..')) return 'has a ".." segment';
  return undefined;
}

const invalid = (message: string) => new WorkbayError('request.invalid', `the upload is not a usable folder archive: ${message}`, {
  errors: [{ field: 'body', message, hint: 'send a plain (uncompressed) tar of relative paths, as `workbay up ./folder` makes it' }],
});

/**
 * Parses a tar as it streams by and refuses what cannot be placed into a workspace folder. Feed it
 * with `write`, then `end()` resolves with the entry count or rejects with `request.invalid`.
 */
export class TarCheck {
  private readonly extract = tar.extract();
  private entries = 0;
  private failure: Error | undefined;
  private readonly done: Promise<number>;

  constructor() {
    this.extract.on('entry', (header, body, next) => {
      // The extract's own error listener reports why; an entry torn down with it must not crash the process.
      body.on('error', () => undefined);
      const problem = nameProblem(header.name) ?? (ALLOWED.has(header.type ?? 'file') ? undefined : `entry type ${header.type}`);
      if (problem) {
        this.failure = invalid(`entry "${header.name.slice(0, 200)}" ${problem}`);
        next(this.failure);
        return;
      }
      this.entries++;
      body.on('end', next);
      body.resume();
    });
    this.done = new Promise((resolve, reject) => {
      this.extract.on('finish', () => resolve(this.entries));
      this.extract.on('error', (err) => reject(this.failure ?? invalid(err.message.replace(/\.?$/, ''))));
    });
    this.done.catch(() => undefined);
  }

  /** Passes a chunk on; resolves when the parser is ready for more (or has failed). */
  write(chunk: Uint8Array): Promise<void> {
    if (this.failure || this.extract.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      if (this.extract.write(chunk)) resolve();
      else {
        this.extract.once('drain', () => resolve());
        this.extract.once('close', () => resolve());
      }
    });
  }

  /** The number of entries, once the whole archive was read and found sound. */
  async end(): Promise<number> {
    if (!this.extract.destroyed) (this.extract as NodeJS.WritableStream).end();
    const n = await this.done;
    if (n === 0) throw invalid('it holds no entries');
    return n;
  }

  /** A failure seen so far (the caller stops sending early). */
  get failed(): Error | undefined {
    return this.failure;
  }
}
