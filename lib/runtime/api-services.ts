import type { ApiDeps } from '../api/context';
import type { Driver } from '../drivers/driver';
import { FollowUps } from '../integrations/followups';
import type { IntegrationService } from '../integrations/service';
import { ProviderService } from '../providers/service';
import { driversFrom, providerDrivers, type DriverFor } from '../workspaces/drivers';
import { WorkspaceOps } from '../workspaces/operations';
import { WorkspaceService } from '../workspaces/service';
import type { WebhookService } from '../webhooks/subscriptions';
import { DEFAULT_WEBHOOK_SETTINGS } from '../webhooks/settings';
import type { ServiceOptions } from './services';
import { onceUntilFailed } from '../once';

/** What the HTTP API runs on: the request-serving half of the services, without the background workers. */
export interface ApiServices extends ApiDeps {
  driverFor: DriverFor;
  /** A driver for a provider as such (GET /v1/providers/{name}/devcontainers lists repositories with it). */
  providerDriver: (provider: string) => Promise<Driver>;
  integrations: () => Promise<IntegrationService>;
  /** Slack follow-ups in flight; Lambda handlers drain them before returning. */
  followUps: FollowUps;
  webhooks: () => Promise<WebhookService>;
}

/**
 * Wires store -> providers -> workspaces -> drivers -> ops, the integrations and the webhook
 * subscriptions: all a request needs. Leaf imports only, so the Lambda api bundle does not load the
 * reconciler, the sweeper or the delivery code (`sweep` loads the sweeper on its first call).
 */
export function buildApiServices(o: ServiceOptions): ApiServices {
  const providers = new ProviderService(o.store);
  const driverFor = driversFrom(providers, o.driverRuntime);
  const workspaces = new WorkspaceService(o.store, providers, driverFor);
  workspaces.uploads = o.uploads;
  const ops = new WorkspaceOps(o.store, workspaces, driverFor);
  const allowLoopback = o.allowLoopbackCallbacks ?? false;
  // Built by the first request that needs them: most requests (and every cold start that serves a
  // workspace) never load the GitHub, Slack or subscription code.
  const integrations = onceUntilFailed(async () => new (await import('../integrations/service')).IntegrationService({
    store: o.store, workspaces, secrets: o.driverRuntime.docker.secrets, allowLoopback, log: o.log,
  }));
  const followUps = new FollowUps({ store: o.store, allowLoopback, log: o.log });
  workspaces.eventListeners.push(followUps.onEvent);
  const webhooks = onceUntilFailed(async () => new (await import('../webhooks/subscriptions')).WebhookService(o.store, { allowLoopback: (o.webhooks ?? DEFAULT_WEBHOOK_SETTINGS).allowLoopback }));
  const sweep = async () => {
    const { Sweeper } = await import('../workspaces/sweeper');
    return new Sweeper(o.store, workspaces, driverFor).sweep({ warnBeforeSeconds: o.idleWarningSeconds });
  };
  return {
    store: o.store, providers, workspaces, ops, driverFor, providerDriver: providerDrivers(providers, o.driverRuntime), sweep, log: o.log,
    integrations, followUps, webhooks, ...(o.uploads ? { uploads: o.uploads } : {}),
  };
}
