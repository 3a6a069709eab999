import type { Readable } from 'node:stream';
import { WorkbayError } from '../errors';

/** The answer for an unknown, expired or another owner's upload. */
export const uploadNotFound = (id: string) => new WorkbayError('upload.notFound', `upload ${id} does not exist (uploads nobody uses expire)`, {
  errors: [{ field: 'source.upload.id', message: 'upload the folder again (workbay up ./folder does)' }],
});

/** What is known about one uploaded folder archive (a tar the CLI made of `workbay up ./folder`). */
export interface UploadInfo {
  /** ULID. */
  id: string;
  /** Who uploaded it: only their workspaces may use it. */
  owner: string;
  /** Hex sha256 of the archive bytes as received. */
  sha256: string;
  /** Archive size in bytes. */
  size: number;
  /** Entries (files, folders, symlinks) in the archive. */
  entries: number;
  createdAt: string;
  /** An upload no workspace uses is deleted after this (ISO time); absent once a workspace uses it. */
  expiresAt?: string;
  /** The workspace that uses it; the upload is deleted with that workspace. */
  workspaceId?: string;
}

/** Reads an upload's archive: what a driver needs to place the folder into the workspace volume. */
export interface UploadReader {
  /** The tar bytes of an upload; `upload.notFound` when it is gone. */
  open(id: string): Promise<Readable>;
}

/** Where uploads live (embedded mode: the data dir). */
export interface UploadStore extends UploadReader {
  /** Largest archive accepted, in bytes. */
  readonly maxBytes: number;
  /** How long an upload no workspace uses is kept, in seconds. */
  readonly ttlSeconds: number;
  /** The per-owner cap on unused uploads and the free-space floor. */
  readonly quota: UploadQuota;
  /**
   * Stores an archive streamed from `body`, hashing and counting while it is written and checking
   * that it is a plain tar of relative paths. Before a byte is read the owner's quota and the free
   * space are checked for `size` (the declared length; unknown counts as `maxBytes`): over the quota
   * is `upload.quotaExceeded`, too little space `upload.noSpace`. Over `maxBytes` is
   * `request.tooLarge`, anything else bad is `request.invalid`; whatever the error, nothing is kept.
   */
  put(owner: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, opts?: { size?: number }): Promise<UploadInfo>;
  /** The upload, whoever owns it; undefined when unknown or expired. */
  get(id: string): Promise<UploadInfo | undefined>;
  /** The owner's uploads no workspace uses (what counts against the quota), oldest first. */
  listUnused(owner: string): Promise<UploadInfo[]>;
  /** Marks the upload as used by a workspace (it no longer expires). */
  bind(id: string, workspaceId: string): Promise<void>;
  /** Removes an upload; gone already is success. */
  delete(id: string): Promise<void>;
}

/** Default cap of one upload: 100 MiB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
/** An unused upload is kept an hour: enough for `up` to create its workspace, short enough to not pile up. */
export const DEFAULT_UPLOAD_TTL_SECONDS = 3600;

/** The per-owner cap on unused uploads, and the free space uploads must leave on the data dir. */
export interface UploadQuota {
  /** Uploads no workspace uses that one owner may hold at once, those still being sent included (0 = no limit). */
  count: number;
  /** Their total bytes (0 = no limit). */
  bytes: number;
  /** An upload is refused when the data dir's free space minus its size would fall below this (0 = no floor). */
  minFreeBytes: number;
}

/**
 * 5 uploads / 500 MiB per owner: `up` needs one at a time, a few parallel `up`s fit, and a full
 * quota is at most five cap-sized archives. 1 GiB free stays for volumes, builds and the table.
 */
export const DEFAULT_UPLOAD_QUOTA: UploadQuota = { count: 5, bytes: 500 * 1024 * 1024, minFreeBytes: 1024 * 1024 * 1024 };

/** Upload ids are ULIDs, like workspace ids. */
export const UPLOAD_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kib: 1024, m: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gib: 1024 ** 3 };

/** Parses a byte size (`1048576`, `512KiB`, `100MiB`, `2GiB`); undefined for anything else. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m && UNITS[m[2]!.toLowerCase()];
  if (!m || !unit) return undefined;
  const n = Number(m[1]) * unit;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** A byte count for people: `1.5 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const [v, u] = n < 1024 ** 2 ? [n / 1024, 'KiB'] : n < 1024 ** 3 ? [n / 1024 ** 2, 'MiB'] : [n / 1024 ** 3, 'GiB'];
  return `${Number(v.toFixed(1))} ${u}`;
}
