import { statfs } from 'node:fs/promises';
import { WorkbayError } from '../errors';
import type { Held } from './owner-holds';
import { formatBytes, type UploadQuota } from './types';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** What the quota allows, in words: `5 uploads and 500 MiB`. */
export function quotaWords(q: UploadQuota): string {
  return [q.count ? plural(q.count, 'upload') : '', q.bytes ? formatBytes(q.bytes) : ''].filter(Boolean).join(' and ');
}

/**
 * Seconds until enough of the owner's stored uploads expired for `bytes` more to fit (they expire
 * oldest first); the TTL when expiry alone cannot make room (uploads still being sent).
 */
function secondsUntilRoom(q: UploadQuota, others: Held[], bytes: number, now: number, ttlSeconds: number): { seconds: number; oldest: boolean } {
  const expiring = others.filter((h) => h.info?.expiresAt).sort((a, b) => a.info!.expiresAt!.localeCompare(b.info!.expiresAt!));
  let count = others.length;
  let used = others.reduce((n, h) => n + h.bytes, 0);
  const fits = () => (!q.count || count + 1 <= q.count) && (!q.bytes || used + bytes <= q.bytes);
  for (const h of expiring) {
    count--;
    used -= h.bytes;
    if (fits()) return { seconds: Math.max(1, Math.ceil((Date.parse(h.info!.expiresAt!) - now) / 1000)), oldest: h === expiring[0] };
  }
  return { seconds: ttlSeconds, oldest: false };
}

/**
 * The refusal when the owner's holds (their own new one `id` of `bytes` among them) pass the quota,
 * else undefined. 429: the room comes back by itself when unused uploads expire (`retryAfter`), or
 * at once when the owner deletes one.
 */
export function quotaRefusal(q: UploadQuota, held: Held[], id: string, bytes: number, now: number, ttlSeconds: number): WorkbayError | undefined {
  const others = held.filter((h) => h.id !== id);
  const used = others.reduce((n, h) => n + h.bytes, 0);
  if ((!q.count || others.length + 1 <= q.count) && (!q.bytes || used + bytes <= q.bytes)) return undefined;
  const sending = others.filter((h) => !h.info).length;
  const { seconds: wait, oldest } = secondsUntilRoom(q, others, bytes, now, ttlSeconds);
  const have = `you have ${plural(others.length, 'unused upload')} (${formatBytes(used)}${sending ? `, ${sending} still being sent` : ''})`;
  const free = 'delete one you no longer need (GET /v1/uploads lists them, DELETE /v1/uploads/{id} removes one)'
    + ` or wait ${wait} s for ${oldest ? 'the oldest to expire' : 'enough of them to expire'}; an upload a workspace uses does not count`;
  return new WorkbayError('upload.quotaExceeded', `${have}; at most ${quotaWords(q)} may wait for a workspace at once, so this upload (${formatBytes(bytes)}) does not fit: ${free}`, {
    errors: [{ field: 'body', message: `at most ${quotaWords(q)} of unused uploads per owner`, hint: free }],
    extensions: {
      limitCount: String(q.count), limitBytes: String(q.bytes), usedCount: String(others.length), usedBytes: String(used), retryAfter: String(wait),
    },
  });
}

/** Refuses (507) an upload of `bytes` that would leave less than the floor free on the folder's file system. */
export async function checkFreeSpace(dir: string, q: UploadQuota, bytes: number): Promise<void> {
  if (!q.minFreeBytes) return;
  const s = await statfs(dir);
  const free = s.bavail * s.bsize;
  if (free - bytes >= q.minFreeBytes) return;
  throw new WorkbayError('upload.noSpace', `the control plane is short of disk space: ${formatBytes(free)} free, and uploads stop while less than ${formatBytes(q.minFreeBytes)} would remain (kept for workspaces and the table); nothing was stored. Try again later, use the folder's git remote (workbay up --git), or ask the operator to free space`, {
    errors: [{ field: 'body', message: 'the server has no room for uploads now' }],
  });
}
