import { createHash } from 'node:crypto';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UploadInfo } from './types';

/** `<owner key>.<upload id>.hold`: one per upload no workspace uses yet, in the uploads folder. */
const HOLD = /^([0-9a-f]{32})\.([0-9A-HJKMNP-TV-Z]{26})\.hold$/;

/** What became of the upload a hold stands for. */
export type HoldState =
  | { kind: 'stored'; info: UploadInfo }
  /** Its archive is still being received (a part or a tar without its record yet). */
  | { kind: 'sending' }
  /** Used by a workspace, deleted or expired: the hold no longer counts. */
  | { kind: 'done' };

/** One upload counted against its owner's quota. */
export interface Held {
  id: string;
  /** The stored size, or the bytes reserved while it is being sent. */
  bytes: number;
  /** Set once it is stored (it then expires unless a workspace uses it). */
  info?: UploadInfo;
}

/** The bytes a hold reserves; a damaged one still counts as an upload, of unknown (0) size. */
function reservedBytes(raw: string): number {
  try {
    const n = Number((JSON.parse(raw) as { bytes?: unknown }).bytes);
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Owner names may hold any character: files are named by a hash of them. */
export const ownerKey = (owner: string): string => createHash('sha256').update(owner).digest('hex').slice(0, 32);

/**
 * The disk's version of a quota claim (ADR 0001): a hold is written (atomically, by rename) *before*
 * the owner's holds are counted, so of uploads racing for the last room the one that wrote last sees
 * all the others and the cap is never passed, also by processes sharing the data dir. A hold is named
 * by its upload id, so dropping one that no longer counts is idempotent and cannot hit a newer hold.
 * Within one process `serial` makes admission exact instead of merely safe.
 */
export class OwnerHolds {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string, private readonly stateOf: (id: string) => Promise<HoldState>) {}

  private file(owner: string, id: string): string {
    return join(this.dir, `${ownerKey(owner)}.${id}.hold`);
  }

  /** Writes the hold of upload `id` reserving `bytes`. */
  async take(owner: string, id: string, bytes: number): Promise<void> {
    const file = this.file(owner, id);
    await writeFile(`${file}.tmp`, JSON.stringify({ bytes }), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  /** Removes the hold; gone already is success. */
  async release(owner: string, id: string): Promise<void> {
    await rm(this.file(owner, id), { force: true });
  }

  /** The owner's holds that count, oldest first; those that no longer count are dropped on the way. */
  async held(owner: string): Promise<Held[]> {
    const key = ownerKey(owner);
    const out: Held[] = [];
    for (const name of (await readdir(this.dir)).sort()) {
      const m = HOLD.exec(name);
      if (!m || m[1] !== key) continue;
      const h = await this.count(join(this.dir, name), m[2]!);
      if (h) out.push(h);
    }
    return out;
  }

  /** Drops every hold that no longer counts (whatever its owner); the number dropped. */
  async prune(): Promise<number> {
    let dropped = 0;
    for (const name of await readdir(this.dir)) {
      const m = HOLD.exec(name);
      if (m && !(await this.count(join(this.dir, name), m[2]!))) dropped++;
    }
    return dropped;
  }

  /** Runs `fn` after the owner's earlier admissions in this process finished. */
  async serial<T>(owner: string, fn: () => Promise<T>): Promise<T> {
    const key = ownerKey(owner);
    const run = (this.queues.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => { if (this.queues.get(key) === tail) this.queues.delete(key); });
    return run;
  }

  private async count(file: string, id: string): Promise<Held | undefined> {
    const state = await this.stateOf(id);
    if (state.kind === 'done') {
      await rm(file, { force: true });
      return undefined;
    }
    if (state.kind === 'stored') return { id, bytes: state.info.size, info: state.info };
    const raw = await readFile(file, 'utf8').catch(() => undefined);
    // Dropped meanwhile: the upload finished one way or the other.
    if (raw === undefined) return undefined;
    return { id, bytes: reservedBytes(raw) };
  }
}
