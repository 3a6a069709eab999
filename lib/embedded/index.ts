import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../api';
import { ProviderService } from '../providers';
import type { EmbeddedSettings } from '../settings';
import { ensureTable, openStore, type Store } from '../store';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../store/embedded';
import { ulid } from 'ulid';
import { localSecrets } from '../secrets';
import { driversFrom, Reconciler, Sweeper, WorkspaceOps, WorkspaceService } from '../workspaces';
import { startTimers } from './timers';
import { ensureAdminToken, type AdminBootstrap } from './admin-token';

/** A running embedded control plane. */
export interface Embedded {
  url: string;
  store: Store;
  admin: AdminBootstrap;
  close(): Promise<void>;
}

/**
 * Embedded mode (DESIGN §8): dynalite persisted under the data dir, the API on node-server, one process.
 */
export async function startEmbedded(s: EmbeddedSettings, log: (e: Record<string, unknown>) => void = () => {}, env: Record<string, string | undefined> = {}): Promise<Embedded> {
  const dataDir = resolve(s.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dynamo = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
  const store = openStore({ tableName: s.table, endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  await ensureTable(store.db);
  const admin = await ensureAdminToken(store, dataDir, s.adminToken);
  const providers = new ProviderService(store);
  const workspaces = new WorkspaceService(store, providers);
  const driverFor = driversFrom(providers, {
    docker: { defaultHost: s.dockerHost, helper: { image: s.helperImage, network: s.helperNetwork }, secrets: localSecrets(env) },
    kubernetes: { defaultKubeconfigPath: s.kubeconfig, secrets: localSecrets(env) },
  });
  const ops = new WorkspaceOps(store, workspaces, driverFor);
  const reconciler = new Reconciler(store, workspaces, driverFor, `embedded-${process.pid}-${ulid()}`, s.retryBaseMs);
  workspaces.kick = (id) => void reconciler.reconcile(id).catch((err) => log({ level: 'error', msg: 'reconcile failed', workspaceId: id, error: String(err) }));
  const sweeper = new Sweeper(store, workspaces, driverFor, `sweeper-${process.pid}-${ulid()}`);
  const sweep = () => sweeper.sweep({ warnBeforeSeconds: s.idleWarningSeconds });
  const timers = startTimers({ reconciler, sweep, reconcileSeconds: s.reconcileIntervalSeconds, sweepSeconds: s.sweepIntervalSeconds }, log);
  const app = createApp({ store, providers, workspaces, ops, sweep, log });
  const server = serve({ fetch: app.fetch, port: s.port, hostname: s.host });
  await new Promise<void>((ok, fail) => {
    if (server.listening) return ok();
    server.once('listening', () => ok());
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  const host = s.host.includes(':') ? `[${s.host}]` : s.host === '0.0.0.0' ? '127.0.0.1' : s.host;
  return {
    url: `http://${host}:${port}`,
    store,
    admin,
    close: async () => {
      timers.stop();
      await new Promise<void>((r) => server.close(() => r()));
      store.db.doc.destroy();
      await dynamo.close();
    },
  };
}
