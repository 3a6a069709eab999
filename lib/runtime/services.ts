import type { DriverRuntime } from '../drivers';
import type { Store } from '../store';
import { WebhookDispatcher, type WebhookSettings } from '../webhooks';
import { DEFAULT_WEBHOOK_SETTINGS } from '../webhooks/settings';
import type { UploadStore } from '../uploads';
import { OrphanCollector, Reconciler, Resyncer, Sweeper, type CollectResult, type ResyncResult, type SweepResult } from '../workspaces';
import { buildApiServices, type ApiServices } from './api-services';

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
export interface Services extends ApiServices {
  reconciler: Reconciler;
  sweeper: Sweeper;
  /** Runs one inactivity sweep with the process's settings (POST /v1/sweeps, timers, the schedule). */
  sweep: () => Promise<SweepResult>;
  /** Re-observes one page of settled workspaces and corrects drift (timers, the schedule). */
  resync: () => Promise<ResyncResult>;
  /** Removes labelled engine objects whose workspace record is gone (timers, the schedule). */
  collectOrphans: (opts?: { graceMs?: number }) => Promise<CollectResult>;
  /** Delivers due outgoing events (embedded timer, the stream function, the schedule). */
  dispatcher: WebhookDispatcher;
}

/**
 * Wires store -> providers -> workspaces -> drivers -> ops -> reconciler -> sweeper, the same way in
 * embedded mode and in every Lambda function. Triggers differ per mode and are attached by the caller:
 * embedded sets `workspaces.kick` and starts timers; on AWS the table stream and the schedule do it.
 */
export function buildServices(o: ServiceOptions): Services {
  const api = buildApiServices(o);
  const { providers, workspaces, driverFor, providerDriver } = api;
  const reconciler = new Reconciler(o.store, workspaces, driverFor, o.workerId, o.retryBaseMs, o.log);
  const sweeper = new Sweeper(o.store, workspaces, driverFor);
  const sweep = () => sweeper.sweep({ warnBeforeSeconds: o.idleWarningSeconds });
  const resyncer = new Resyncer(o.store, driverFor, (id) => reconciler.reconcile(id));
  const collector = new OrphanCollector(o.store, providers, providerDriver);
  const dispatcher = new WebhookDispatcher(o.store, o.webhooks ?? DEFAULT_WEBHOOK_SETTINGS, o.log);
  return {
    ...api, reconciler, sweeper, sweep,
    resync: () => resyncer.run(), collectOrphans: (opts) => collector.collect(opts), dispatcher,
  };
}
