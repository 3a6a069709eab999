import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ulid } from 'ulid';
import { createApp } from '../api';
import { buildServices, type Log, type Services } from '../runtime';
import { localSecrets } from '../secrets';
import { readUploadQuota, type EmbeddedSettings } from '../settings';
import { ensureTable, openStore, type Store } from '../store';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../store/embedded';
import { externalStoreOptions } from '../store/external';
import { startTimers } from './timers';
import { readWebhookSettings } from '../webhooks';
import { ensureAdminToken, type AdminBootstrap } from './admin-token';
import { attachUpgrades } from '../attach';
import { podmanDefaultHost } from '../drivers/docker/podman';
import { DiskUploadStore, parseByteSize } from '../uploads';
import { WorkbayError } from '../errors';

/** Folder uploads under `<data dir>/uploads`, capped by WORKBAY_UPLOAD_MAX (default 100 MiB). */
function embeddedUploads(dataDir: string, env: Record<string, string | undefined>): DiskUploadStore {
  const raw = env.WORKBAY_UPLOAD_MAX;
  const maxBytes = raw ? parseByteSize(raw) : undefined;
  if (raw && !maxBytes) {
    throw new WorkbayError('config.invalid', `WORKBAY_UPLOAD_MAX must be a size such as 100MiB, not "${raw}"`, {
      errors: [{ field: 'WORKBAY_UPLOAD_MAX', message: 'bytes, or a number with KiB, MiB or GiB' }],
    });
  }
  return new DiskUploadStore({ dir: join(dataDir, 'uploads'), ...(maxBytes ? { maxBytes } : {}), quota: readUploadQuota(env) });
}

/** A running embedded control plane. */
export interface Embedded {
  url: string;
  store: Store;
  admin: AdminBootstrap;
  /** The process's services (reconciler, sweeper, ...), for tests and tools that drive them directly. */
  services: Services;
  close(): Promise<void>;
}

/**
 * Embedded mode (DESIGN §8): dynalite persisted under the data dir, the API on node-server, one process.
 * With `dynamodbEndpoint` the table lives in that DynamoDB instead and no dynalite is started.
 */
export async function startEmbedded(s: EmbeddedSettings, log: Log = () => {}, env: Record<string, string | undefined> = {}): Promise<Embedded> {
  const dataDir = resolve(s.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dynamo = s.dynamodbEndpoint ? undefined : await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
  const store = openStore(dynamo
    ? { tableName: s.table, endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS }
    : externalStoreOptions({ tableName: s.table, endpoint: s.dynamodbEndpoint!, region: s.dynamodbRegion }));
  await ensureTable(store.db);
  const admin = await ensureAdminToken(store, dataDir, s.adminToken);
  const secrets = localSecrets(env);
  const hookSettings = readWebhookSettings(env, 'embedded');
  const uploads = embeddedUploads(dataDir, env);
  const services = buildServices({
    store, log, workerId: `embedded-${process.pid}-${ulid()}`, idleWarningSeconds: s.idleWarningSeconds, retryBaseMs: s.retryBaseMs,
    allowLoopbackCallbacks: env.WORKBAY_ALLOW_LOOPBACK_CALLBACKS === 'true',
    webhooks: hookSettings, uploads,
    driverRuntime: {
      docker: { defaultHost: s.dockerHost, podmanHost: podmanDefaultHost(process.getuid?.(), env.XDG_RUNTIME_DIR), helper: { image: s.helperImage, network: s.helperNetwork }, secrets, allowLoopbackFeatures: env.WORKBAY_ALLOW_LOOPBACK_FEATURES === 'true', uploads },
      kubernetes: { defaultKubeconfigPath: s.kubeconfig, secrets, uploads, ...(s.kubeTimeoutSeconds ? { apiTimeoutMs: s.kubeTimeoutSeconds * 1000 } : {}) },
      timings: s.driverTimings,
    },
  });
  const { reconciler, workspaces } = services;
  workspaces.kick = (id) => void reconciler.reconcile(id).catch((err) => log({ level: 'error', msg: 'reconcile failed', workspaceId: id, error: String(err) }));
  const timers = startTimers({
    reconciler, sweep: services.sweep, resync: services.resync, collect: () => services.collectOrphans(),
    reconcileSeconds: s.reconcileIntervalSeconds, sweepSeconds: s.sweepIntervalSeconds, resyncSeconds: s.resyncIntervalSeconds ?? 30,
    collectSeconds: s.collectIntervalSeconds ?? 300,
    webhooks: { run: (o) => services.dispatcher.run(o), seconds: hookSettings.intervalSeconds },
  }, log);
  const app = createApp(services);
  const server = serve({ fetch: app.fetch, port: s.port, hostname: s.host });
  // The attach stream (WebSocket) is the one route that outlives a request/response.
  const attach = attachUpgrades((req, env) => app.fetch(req, env), log);
  server.on('upgrade', attach.listener);
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
    services,
    close: async () => {
      // Work in flight must end before the table goes: dynalite throws (uncaught) on a closed database.
      attach.close();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Idle keep-alive sockets would hold the close for their whole timeout.
      (server as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      await closed;
      await timers.stop();
      await reconciler.drain(15_000);
      store.db.doc.destroy();
      await dynamo?.close();
    },
  };
}
