import type { ApiDeps } from '../api';
import type { Driver, DriverRuntime } from '../drivers';
import { ProviderService } from '../providers';
import type { Store } from '../store';
import { DEFAULT_WEBHOOK_SETTINGS, WebhookDispatcher, WebhookService, type WebhookSettings } from '../webhooks';
import { FollowUps, IntegrationService } from '../integrations';
import type { UploadStore } from '../uploads';
import { driversFrom, OrphanCollector, providerDrivers, Reconciler, Resyncer, Sweeper, WorkspaceOps, WorkspaceService, type DriverFor, type CollectResult, type ResyncResult, type SweepResult } from '../workspaces';

/** A structured log line writer (JSON lines on stderr/stdout in every mode). */
export type Log = (entry: Record<string, unknown>) => void;

/** What every mode needs to wire the control plane; each field is read once at process start. */
export interface ServiceOptions {
  store: Store;
  driverRuntime: DriverRuntime;
  /** Names this process in lease tokens (each unit of work gets its own token, ADR 0004). */
  workerId: string;
  /** How long before an idle stop the `workspace.idle-warning` event goes out, in seconds. */
  idleWarningSeconds: number;
  /** First retry delay of the reconciler (tests shorten it). */
  retryBaseMs?: number;
  /** Embedded mode for tests only: Slack follow-ups may go to loopback URLs (WORKBAY_ALLOW_LOOPBACK_CALLBACKS). */
  allowLoopbackCallbacks?: boolean;
  /** Outgoing webhook delivery (retry scale, loopback, timeouts); the strict defaults when absent. */
  webhooks?: WebhookSettings;
  /** Folder uploads (embedded mode); absent on AWS, where `upload` sources are refused. */
  uploads?: UploadStore;
  log?: Log;
}

/** The services of one process: what the API routes, the sweeper and the reconciler run on. */
export interface Services extends ApiDeps {
  driverFor: DriverFor;
  /** A driver for a provider as such (GET /v1/providers/{name}/devcontainers lists repositories with it). */
  providerDriver: (provider: string) => Promise<Driver>;
  reconciler: Reconciler;
  sweeper: Sweeper;
  /** Runs one inactivity sweep with the process's settings (POST /v1/sweeps, timers, the schedule). */
  sweep: () => Promise<SweepResult>;
  /** Re-observes one page of settled workspaces and corrects drift (timers, the schedule). */
  resync: () => Promise<ResyncResult>;
  /** Removes labelled engine objects whose workspace record is gone (timers, the schedule). */
  collectOrphans: (opts?: { graceMs?: number }) => Promise<CollectResult>;
  integrations: IntegrationService;
  /** Slack follow-ups in flight; Lambda handlers drain them before returning. */
  followUps: FollowUps;
  webhooks: WebhookService;
  /** Delivers due outgoing events (embedded timer, the stream function, the schedule). */
  dispatcher: WebhookDispatcher;
}

/**
 * Wires store -> providers -> workspaces -> drivers -> ops -> reconciler -> sweeper, the same way in
 * embedded mode and in every Lambda function. Triggers differ per mode and are attached by the caller:
 * embedded sets `workspaces.kick` and starts timers; on AWS the table stream and the schedule do it.
 */
export function buildServices(o: ServiceOptions): Services {
  const providers = new ProviderService(o.store);
  const driverFor = driversFrom(providers, o.driverRuntime);
  const workspaces = new WorkspaceService(o.store, providers, driverFor);
  workspaces.uploads = o.uploads;
  const ops = new WorkspaceOps(o.store, workspaces, driverFor);
  const reconciler = new Reconciler(o.store, workspaces, driverFor, o.workerId, o.retryBaseMs, o.log);
  const sweeper = new Sweeper(o.store, workspaces, driverFor);
  const sweep = () => sweeper.sweep({ warnBeforeSeconds: o.idleWarningSeconds });
  const resyncer = new Resyncer(o.store, driverFor, (id) => reconciler.reconcile(id));
  const collector = new OrphanCollector(o.store, providers, providerDrivers(providers, o.driverRuntime));
  const allowLoopback = o.allowLoopbackCallbacks ?? false;
  const integrations = new IntegrationService({ store: o.store, workspaces, secrets: o.driverRuntime.docker.secrets, allowLoopback, log: o.log });
  const followUps = new FollowUps({ store: o.store, allowLoopback, log: o.log });
  workspaces.eventListeners.push(followUps.onEvent);
  const hooks = o.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
  const webhooks = new WebhookService(o.store, { allowLoopback: hooks.allowLoopback });
  const dispatcher = new WebhookDispatcher(o.store, hooks, o.log);
  return {
    store: o.store, providers, workspaces, ops, driverFor, providerDriver: providerDrivers(providers, o.driverRuntime), reconciler, sweeper, sweep, log: o.log,
    resync: () => resyncer.run(), collectOrphans: (opts) => collector.collect(opts), integrations, followUps,
    webhooks, dispatcher, ...(o.uploads ? { uploads: o.uploads } : {}),
  };
}
