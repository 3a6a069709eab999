/**
 * Folder uploads (`workbay up ./folder`): the CLI sends a tar of the folder, the API keeps it here,
 * the driver places it into the workspace volume where a git clone would go.
 */
export { DiskUploadStore, type DiskUploadOptions } from './disk-store';
export { TarCheck } from './tar-check';
export { OwnerHolds, ownerKey, type Held, type HoldState } from './owner-holds';
export { checkFreeSpace, quotaRefusal, quotaWords } from './quota';
export {
  DEFAULT_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_QUOTA, DEFAULT_UPLOAD_TTL_SECONDS, UPLOAD_ID, formatBytes, parseByteSize, uploadNotFound,
  type UploadInfo, type UploadQuota, type UploadReader, type UploadStore,
} from './types';
export { uploadSource, type UploadCatalog } from './workspace-source';
