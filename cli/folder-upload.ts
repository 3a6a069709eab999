import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatBytes } from '../lib/uploads/types';
import { UsageError } from './args';
import { planFolder, writeArchive } from './folder-archive';
import type { Client } from './http';

/** The create request's source for an uploaded folder. */
export interface UploadSource { upload: { id: string; folder: string; sha256: string } }

const tooLarge = (dir: string, size: number, max: number, exact: boolean) => new UsageError(
  `workbay up ${dir}: the folder's archive is ${exact ? '' : 'at least '}${formatBytes(size)} (${size} bytes), over the control plane's upload cap of ${formatBytes(max)} (${max} bytes); `
  + 'nothing was uploaded or created. Leave build output and dependencies out with .gitignore, or use the folder\'s git remote with --git.',
);

/**
 * `workbay up ./folder`: archives the folder (its .gitignore rules honoured, `.git` left out), checks
 * the control plane's cap before sending a byte, and uploads it. `${localWorkspaceFolder}` is the
 * folder's absolute path on this machine.
 */
export async function uploadFolder(client: Client, dir: string, print: (line: string) => void): Promise<UploadSource> {
  const { maxBytes } = await client.request<{ maxBytes: number }>('GET', '/v1/uploads/limits');
  const folder = resolve(dir);
  const plan = await planFolder(folder);
  if (plan.size > maxBytes) throw tooLarge(dir, plan.size, maxBytes, false);
  const tmp = mkdtempSync(join(tmpdir(), 'workbay-upload-'));
  try {
    const file = join(tmp, 'folder.tar');
    const archive = await writeArchive(plan, file);
    if (archive.size > maxBytes) throw tooLarge(dir, archive.size, maxBytes, true);
    print(`[upload] sending ${folder}: ${plan.entries.length} entries, ${formatBytes(archive.size)}${plan.excluded ? ` (${plan.excluded} excluded by .gitignore or .git)` : ''}`);
    const sent = await client.request<{ id: string; sha256: string }>('POST', '/v1/uploads', { file: { path: file, type: 'application/x-tar', size: archive.size } });
    if (sent.sha256 !== archive.sha256) {
      await discardUpload(client, sent.id);
      throw new Error(`the upload arrived damaged (sha256 ${sent.sha256}, sent ${archive.sha256}); try again`);
    }
    return { upload: { id: sent.id, folder, sha256: archive.sha256 } };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Deletes an upload no workspace will use (best effort: an unused upload also expires on its own). */
export async function discardUpload(client: Client, id: string): Promise<void> {
  await client.request('DELETE', `/v1/uploads/${encodeURIComponent(id)}`).catch(() => undefined);
}
