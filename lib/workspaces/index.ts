export { WorkspaceService, type Actor, type CreateWorkspaceInput } from './service';
export { WorkspaceOps, type ExecInput } from './operations';
export { Reconciler } from './reconciler';
export { driversFrom, driverWorkspace, type DriverFor } from './drivers';
export { recordActivity } from './activity';
export { workspaceView, type WorkspaceView, type DevpodStatus } from './view';
export { effectiveTimeout, MAX_TIMEOUT_OPTION, type EffectiveTimeout } from './timeout';
export { defaultWorkspaceName } from './names';
export { Sweeper, type SweepResult, type SweepOptions } from './sweeper';
