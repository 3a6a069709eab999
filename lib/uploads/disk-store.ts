import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ulid } from 'ulid';
import { WorkbayError } from '../errors';
import { TarCheck } from './tar-check';
import { DEFAULT_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_TTL_SECONDS, formatBytes, UPLOAD_ID, uploadNotFound, type UploadInfo, type UploadStore } from './types';

/** Options of the disk store. */
export interface DiskUploadOptions {
  /** Folder of the archives (embedded mode: `<data dir>/uploads`). */
  dir: string;
  maxBytes?: number;
  ttlSeconds?: number;
  now?: () => number;
}

/**
 * Uploads as files under the data dir: `<id>.tar` and its `<id>.json`. An archive is written to
 * `<id>.part` and renamed when it is complete and sound, so a crash leaves no half upload behind.
 * Expired uploads (and stale parts) are removed lazily: at start and on each upload; until then
 * `get` already treats them as gone.
 */
export class DiskUploadStore implements UploadStore {
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(private readonly o: DiskUploadOptions) {
    this.maxBytes = o.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
    this.ttlSeconds = o.ttlSeconds ?? DEFAULT_UPLOAD_TTL_SECONDS;
    this.now = o.now ?? Date.now;
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    // What expired while the process was down goes at start, the rest on later uploads.
    void this.removeExpired().catch(() => undefined);
  }

  private path(id: string, ext: 'tar' | 'json' | 'part'): string {
    if (!UPLOAD_ID.test(id)) throw uploadNotFound(id);
    return join(this.o.dir, `${id}.${ext}`);
  }

  async put(owner: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<UploadInfo> {
    await this.removeExpired();
    const id = ulid();
    const part = this.path(id, 'part');
    const out = createWriteStream(part, { mode: 0o600 });
    const closed = new Promise<void>((resolve, reject) => { out.on('close', resolve); out.on('error', reject); });
    const hash = createHash('sha256');
    const check = new TarCheck();
    let size = 0;
    try {
      for await (const chunk of body) {
        size += chunk.length;
        if (size > this.maxBytes) {
          throw new WorkbayError('request.tooLarge', `the upload is larger than the cap of ${formatBytes(this.maxBytes)} (${this.maxBytes} bytes)`, {
            errors: [{ field: 'body', message: `at most ${this.maxBytes} bytes`, hint: 'exclude build output and dependencies with .gitignore, or push the folder and use its git URL' }],
          });
        }
        hash.update(chunk);
        await check.write(chunk);
        if (check.failed) throw check.failed;
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      const entries = await check.end();
      out.end();
      await closed;
      const info: UploadInfo = {
        id, owner, sha256: hash.digest('hex'), size, entries, createdAt: new Date(this.now()).toISOString(),
        expiresAt: new Date(this.now() + this.ttlSeconds * 1000).toISOString(),
      };
      await rename(part, this.path(id, 'tar'));
      await this.writeInfo(info);
      return info;
    } catch (err) {
      out.destroy();
      await closed.catch(() => undefined);
      await rm(part, { force: true });
      throw err;
    }
  }

  private async writeInfo(info: UploadInfo): Promise<void> {
    const tmp = join(this.o.dir, `${info.id}.json.tmp`);
    await writeFile(tmp, JSON.stringify(info), { mode: 0o600 });
    await rename(tmp, this.path(info.id, 'json'));
  }

  private async read(id: string): Promise<UploadInfo | undefined> {
    try {
      return JSON.parse(await readFile(this.path(id, 'json'), 'utf8')) as UploadInfo;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as WorkbayError).code === 'upload.notFound') return undefined;
      throw err;
    }
  }

  private expired(info: UploadInfo): boolean {
    return !info.workspaceId && info.expiresAt !== undefined && Date.parse(info.expiresAt) <= this.now();
  }

  async get(id: string): Promise<UploadInfo | undefined> {
    const info = await this.read(id);
    return info && !this.expired(info) ? info : undefined;
  }

  async bind(id: string, workspaceId: string): Promise<void> {
    const info = await this.get(id);
    if (!info) throw uploadNotFound(id);
    if (info.workspaceId === workspaceId) return;
    if (info.workspaceId) throw new WorkbayError('upload.inUse', `upload ${id} is used by workspace ${info.workspaceId}`);
    const { expiresAt: _, ...kept } = info;
    await this.writeInfo({ ...kept, workspaceId });
  }

  async open(id: string): Promise<Readable> {
    const file = this.path(id, 'tar');
    try {
      await stat(file);
    } catch {
      throw uploadNotFound(id);
    }
    return createReadStream(file);
  }

  async delete(id: string): Promise<void> {
    if (!UPLOAD_ID.test(id)) return;
    await rm(this.path(id, 'json'), { force: true });
    await rm(this.path(id, 'tar'), { force: true });
  }

  /** Deletes uploads nobody used within their time, and parts an upload that died left behind. */
  async removeExpired(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.o.dir)) {
      const m = /^([0-9A-HJKMNP-TV-Z]{26})\.(json|part)$/.exec(name);
      if (!m) continue;
      if (m[2] === 'part') {
        const s = await stat(join(this.o.dir, name)).catch(() => undefined);
        if (s && this.now() - s.mtimeMs > this.ttlSeconds * 1000) await rm(join(this.o.dir, name), { force: true });
        continue;
      }
      const info = await this.read(m[1]!).catch(() => undefined);
      if (info && this.expired(info)) {
        await this.delete(info.id);
        removed++;
      }
    }
    return removed;
  }
}
