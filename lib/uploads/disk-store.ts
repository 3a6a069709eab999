import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ulid } from 'ulid';
import { WorkbayError } from '../errors';
import { OwnerHolds, type HoldState } from './owner-holds';
import { checkFreeSpace, quotaRefusal } from './quota';
import { TarCheck } from './tar-check';
import {
  DEFAULT_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_QUOTA, DEFAULT_UPLOAD_TTL_SECONDS, formatBytes, UPLOAD_ID, uploadNotFound,
  type UploadInfo, type UploadQuota, type UploadStore,
} from './types';

/** What a put that died leaves behind: removed once older than the TTL (a slow upload may still be writing it). */
const LEFTOVER = /^(?:[0-9a-f]{32}\.)?[0-9A-HJKMNP-TV-Z]{26}\.(?:part|json\.tmp|hold\.tmp)$/;
const RECORD = /^([0-9A-HJKMNP-TV-Z]{26})\.json$/;

/** Options of the disk store. */
export interface DiskUploadOptions {
  /** Folder of the archives (embedded mode: `<data dir>/uploads`). */
  dir: string;
  maxBytes?: number;
  ttlSeconds?: number;
  /** Per-owner cap on unused uploads and the free-space floor (DEFAULT_UPLOAD_QUOTA). */
  quota?: UploadQuota;
  now?: () => number;
}

/**
 * Uploads as files under the data dir: `<id>.tar` and its `<id>.json`. An archive is written to
 * `<id>.part` and renamed when it is complete and sound, so a crash leaves no half upload behind.
 * Expired uploads (and stale parts) are removed lazily: at start and on each upload; until then
 * `get` already treats them as gone. Each upload no workspace uses has a hold (OwnerHolds) that
 * counts against its owner's quota from before its first byte is read until it is used or gone.
 */
export class DiskUploadStore implements UploadStore {
  readonly maxBytes: number;
  readonly ttlSeconds: number;
  readonly quota: UploadQuota;
  private readonly now: () => number;
  private readonly holds: OwnerHolds;

  constructor(private readonly o: DiskUploadOptions) {
    this.quota = o.quota ?? DEFAULT_UPLOAD_QUOTA;
    // An archive larger than the whole quota could never be stored: the cap says so up front (413, CLI check).
    this.maxBytes = Math.min(o.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES, this.quota.bytes || Infinity);
    this.ttlSeconds = o.ttlSeconds ?? DEFAULT_UPLOAD_TTL_SECONDS;
    this.now = o.now ?? Date.now;
    mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    this.holds = new OwnerHolds(o.dir, (id) => this.holdState(id));
    // What expired while the process was down goes at start, the rest on later uploads.
    void this.removeExpired().catch(() => undefined);
  }

  private path(id: string, ext: 'tar' | 'json' | 'part'): string {
    if (!UPLOAD_ID.test(id)) throw uploadNotFound(id);
    return join(this.o.dir, `${id}.${ext}`);
  }

  async put(owner: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts: { size?: number } = {}): Promise<UploadInfo> {
    await this.removeExpired();
    const reserve = opts.size ?? this.maxBytes;
    if (reserve > this.maxBytes) throw this.tooLarge();
    await checkFreeSpace(this.o.dir, this.quota, reserve);
    const id = ulid();
    const part = this.path(id, 'part');
    // The part exists before the hold, so a hold without part, tar or record is always one to drop.
    const out = createWriteStream(part, { fd: await open(part, 'wx', 0o600) });
    const closed = new Promise<void>((resolve, reject) => { out.on('close', resolve); out.on('error', reject); });
    const hash = createHash('sha256');
    const check = new TarCheck();
    let size = 0;
    try {
      await this.admit(owner, id, reserve);
      for await (const chunk of body) {
        size += chunk.length;
        if (size > reserve) {
          throw opts.size === undefined ? this.tooLarge() : new WorkbayError('request.tooLarge', `the upload is longer than the ${opts.size} bytes its content-length declared`, {
            errors: [{ field: 'body', message: `at most ${opts.size} bytes` }],
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
      await rm(this.path(id, 'tar'), { force: true });
      await this.holds.release(owner, id);
      throw err;
    }
  }

  private tooLarge(): WorkbayError {
    return new WorkbayError('request.tooLarge', `the upload is larger than the cap of ${formatBytes(this.maxBytes)} (${this.maxBytes} bytes)`, {
      errors: [{ field: 'body', message: `at most ${this.maxBytes} bytes`, hint: 'exclude build output and dependencies with .gitignore, or push the folder and use its git URL' }],
    });
  }

  /** Takes the owner's room for `reserve` bytes, or throws `upload.quotaExceeded` leaving no hold. */
  private async admit(owner: string, id: string, reserve: number): Promise<void> {
    await this.holds.serial(owner, async () => {
      await this.holds.take(owner, id, reserve);
      if (!this.quota.count && !this.quota.bytes) return;
      const refusal = quotaRefusal(this.quota, await this.holds.held(owner), id, reserve, this.now(), this.ttlSeconds);
      if (refusal) throw refusal;
    });
  }

  /** What became of upload `id`, for its hold. */
  private async holdState(id: string): Promise<HoldState> {
    const info = await this.read(id);
    if (info) return info.workspaceId || this.expired(info) ? { kind: 'done' } : { kind: 'stored', info };
    const exists = (ext: 'part' | 'tar') => stat(this.path(id, ext)).then(() => true, () => false);
    return (await exists('part')) || (await exists('tar')) ? { kind: 'sending' } : { kind: 'done' };
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
    await this.holds.release(info.owner, id);
  }

  async listUnused(owner: string): Promise<UploadInfo[]> {
    return (await this.holds.held(owner)).flatMap((h) => (h.info ? [h.info] : []));
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
    const info = await this.read(id);
    await rm(this.path(id, 'json'), { force: true });
    await rm(this.path(id, 'tar'), { force: true });
    if (info) await this.holds.release(info.owner, id);
  }

  /**
   * Deletes uploads nobody used within their time, parts (and half-written records and holds) an
   * upload that died left behind, and holds that no longer count.
   */
  async removeExpired(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.o.dir)) {
      if (LEFTOVER.test(name)) {
        const s = await stat(join(this.o.dir, name)).catch(() => undefined);
        if (s && this.now() - s.mtimeMs > this.ttlSeconds * 1000) await rm(join(this.o.dir, name), { force: true });
        continue;
      }
      const m = RECORD.exec(name);
      if (!m) continue;
      const info = await this.read(m[1]!).catch(() => undefined);
      if (info && this.expired(info)) {
        await this.delete(info.id);
        removed++;
      }
    }
    await this.holds.prune();
    return removed;
  }
}
