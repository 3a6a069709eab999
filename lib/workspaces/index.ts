export { WorkspaceService, type Actor, type CreateWorkspaceInput } from './service';
export { workspaceView, type WorkspaceView, type DevpodStatus } from './view';
export { effectiveTimeout, MAX_TIMEOUT_OPTION, type EffectiveTimeout } from './timeout';
export { defaultWorkspaceName } from './names';
