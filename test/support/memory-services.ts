import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../lib/store/embedded';
import { ensureTable, LOCAL_CREDENTIALS, openStore, type Store } from '../../lib/store';
import { ProviderService } from '../../lib/providers';
import { Reconciler, Resyncer, Sweeper, WorkspaceService, type Actor } from '../../lib/workspaces';
import { MemoryEngine } from './memory-driver';

/** The workspace services over an in-memory dynalite and an in-memory engine: no Docker, no HTTP. */
export interface MemoryServices {
  store: Store;
  engine: MemoryEngine;
  workspaces: WorkspaceService;
  reconciler: Reconciler;
  sweeper: Sweeper;
  resyncer: Resyncer;
  logs: Record<string, unknown>[];
  user: Actor;
  close(): Promise<void>;
}

let tables = 0;

/** Builds them with the provider `mem` (inactivity timeout `timeout` seconds). Kicks are not wired: tests drive. */
export async function memoryServices(timeout = 60): Promise<MemoryServices> {
  const dynamo: EmbeddedDynamo = await startEmbeddedDynamo();
  const store = openStore({ tableName: `unit${tables++}`, endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  await ensureTable(store.db);
  const providers = new ProviderService(store);
  await providers.add(`name: mem\ncontainerInactivityTimeout: ${timeout}\n`);
  const workspaces = new WorkspaceService(store, providers);
  const engine = new MemoryEngine();
  const driverFor = async () => engine.driver();
  const logs: Record<string, unknown>[] = [];
  const reconciler = new Reconciler(store, workspaces, driverFor, 'unit', 10, (e) => logs.push(e));
  return {
    store, engine, workspaces, reconciler, logs,
    sweeper: new Sweeper(store, workspaces, driverFor),
    resyncer: new Resyncer(store, driverFor, (id) => reconciler.reconcile(id)),
    user: { owner: 'dev', role: 'user' },
    close: async () => {
      await reconciler.drain(5_000);
      store.db.doc.destroy();
      await dynamo.close();
    },
  };
}
