import { WorkbayError } from '../errors';
import type { WorkspaceSource } from '../workspaces/model';
import { uploadNotFound, type UploadStore } from './types';

/** What the workspace service needs of the upload store. */
export type UploadCatalog = Pick<UploadStore, 'get' | 'bind' | 'delete'>;

/**
 * The source to record for a create request: an `upload` source is checked (it exists, the caller
 * uploaded it, no other workspace uses it, the hash matches when given) and completed with the
 * archive's sha256 and size, so `up` of an existing name can tell whether the content changed.
 * Other sources pass through.
 */
export async function uploadSource(uploads: UploadCatalog | undefined, owner: string, workspaceId: string, source: WorkspaceSource): Promise<WorkspaceSource> {
  if (!('upload' in source)) return source;
  const { id, folder, sha256 } = source.upload;
  if (!uploads) {
    throw new WorkbayError('request.invalid', 'this deployment keeps no uploads (the AWS deployment cannot take a folder); push the folder to a git remote and create the workspace from its URL', {
      errors: [{ field: 'source.upload', message: 'not available here', hint: 'workbay up <git-url> --provider …, or run the control plane in embedded mode' }],
    });
  }
  const info = await uploads.get(id);
  // Another owner's upload is reported as missing, like another owner's workspace.
  if (!info || info.owner !== owner) throw uploadNotFound(id);
  if (info.workspaceId && info.workspaceId !== workspaceId) {
    throw new WorkbayError('upload.inUse', `upload ${id} is used by another workspace; upload the folder again`, {
      errors: [{ field: 'source.upload.id', message: 'an upload serves one workspace' }],
    });
  }
  if (sha256 && sha256 !== info.sha256) {
    throw new WorkbayError('request.invalid', `upload ${id} has sha256 ${info.sha256}, not ${sha256}`, {
      errors: [{ field: 'source.upload.sha256', message: 'does not match the stored archive' }],
    });
  }
  return { upload: { id, ...(folder ? { folder } : {}), sha256: info.sha256, size: info.size } };
}
