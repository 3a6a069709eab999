import type { Store } from '../store';
import type { ProviderService } from '../providers';
import type { IntegrationService } from '../integrations';
import type { SweepResult, WorkspaceOps, WorkspaceService } from '../workspaces';
import type { WebhookService } from '../webhooks';
import type { UploadStore } from '../uploads';

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
  /** GitHub and Slack integrations, loaded by their first request; absent in processes that serve no API. */
  integrations?: () => Promise<IntegrationService>;
  /** Outgoing-events subscriptions (/v1/webhooks), loaded by their first request. */
  webhooks?: () => Promise<WebhookService>;
  /** Folder uploads (/v1/uploads); absent where there is nowhere to keep them (AWS). */
  uploads?: UploadStore;
  log?: (entry: Record<string, unknown>) => void;
}

/** hono environment of the API. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
