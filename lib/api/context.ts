import type { Store } from '../store';
import type { ProviderService } from '../providers';
import type { SweepResult, WorkspaceOps, WorkspaceService } from '../workspaces';

/** Who is calling, from their bearer token. */
export interface Principal {
  owner: string;
  role: 'admin' | 'user';
}

/** Services the routes need; built once per process by functions/. */
export interface ApiDeps {
  store: Store;
  providers: ProviderService;
  workspaces: WorkspaceService;
  ops: WorkspaceOps;
  /** Runs one inactivity sweep with the process's settings. */
  sweep: () => Promise<SweepResult>;
  log?: (entry: Record<string, unknown>) => void;
}

/** hono environment of the API. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
