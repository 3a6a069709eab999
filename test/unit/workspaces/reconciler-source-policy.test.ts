import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DriverRuntime } from '../../../lib/drivers';
import { ProviderService } from '../../../lib/providers';
import { localSecrets } from '../../../lib/secrets';
import { ensureTable, LOCAL_CREDENTIALS, openStore, type Store } from '../../../lib/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../../lib/store/embedded';
import { driversFrom, Reconciler, WorkspaceService } from '../../../lib/workspaces';

/**
 * The git-source check before a create, on the real provider service and the real Docker driver
 * (its engine a socket that does not exist, so a create that got as far as the engine would only
 * be retried): it judges on the policy the pass resolved, and the pass reads the provider once.
 */
let dynamo: EmbeddedDynamo;
let store: Store;
let providers: ProviderService;
let workspaces: WorkspaceService;
let reconciler: Reconciler;
let tables = 0;

const URL = 'git://127.0.0.1:9/app.git';
const secrets = localSecrets({});
const runtime: DriverRuntime = { docker: { helper: { image: 'workbay-test/git:local' }, secrets }, kubernetes: { secrets } };
const provider = (sources: string) => `name: guarded\nagent:\n  docker:\n    env:\n      DOCKER_HOST: unix:///nonexistent/workbay-no-engine.sock\nworkbay:\n  policy:\n    gitSources: [${sources}]\n`;

/** Replaces the provider's file in the store, as an admin editing it would. */
async function rewrite(yaml: string): Promise<void> {
  const p = (await store.providers.get('guarded'))!;
  await store.providers.replace({ ...p, yaml, version: p.version + 1, updatedAt: new Date().toISOString() }, p.version);
}

/** Counts reads of provider records (`require` reads through `get`) by wrapping the real repository's method. */
function countProviderReads(): { reads: number } {
  const counter = { reads: 0 };
  const get = store.providers.get.bind(store.providers);
  store.providers.get = async (name) => { counter.reads++; return get(name); };
  return counter;
}

beforeEach(async () => {
  dynamo = await startEmbeddedDynamo();
  store = openStore({ tableName: `source-policy${tables++}`, endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  await ensureTable(store.db);
  providers = new ProviderService(store);
  await providers.add(provider('"git://127.0.0.1:9"'));
  const driverFor = driversFrom(providers, runtime);
  workspaces = new WorkspaceService(store, providers, driverFor);
  reconciler = new Reconciler(store, workspaces, driverFor, 'unit', 1);
});
afterEach(async () => {
  await reconciler.drain(5_000);
  store.db.doc.destroy();
  await dynamo.close();
});

describe('a create retried after an admin tightened gitSources', () => {
  it('ends in Error naming policy.gitSources, and that pass reads the provider once', async () => {
    const { workspace } = await workspaces.create({ owner: 'dev', role: 'user' }, { provider: 'guarded', name: 'retried', source: { git: { url: URL } } });
    // Allowed at first: the pass gets as far as the engine, which is not there, and is retried.
    await reconciler.reconcile(workspace.id);
    const retrying = (await store.workspaces.get(workspace.id))!;
    expect(retrying.statusReason).toMatch(/retrying/);

    await rewrite(provider('"git://127.0.0.1:9/approved"'));
    await new Promise((r) => setTimeout(r, Date.parse(retrying.leaseUntil!) - Date.now() + 5));
    const counter = countProviderReads();
    await reconciler.reconcile(workspace.id);

    const failed = (await store.workspaces.get(workspace.id))!;
    expect(failed.status).toBe('Error');
    expect(failed.statusReason).toMatch(/policy\.gitSources/);
    expect(failed.statusReason).toMatch(/source\.git\.url: git:\/\/127\.0\.0\.1:9\/app is not under the one git source this provider allows/);
    const error = (await store.events.list(workspace.id, { limit: 50 })).find((e) => e.type === 'workspace.error');
    expect(error).toMatchObject({ data: { code: 'policy.denied' } });
    expect(counter.reads).toBe(1);
  });

  it('a create the provider still allows is not refused by the check', async () => {
    const { workspace } = await workspaces.create({ owner: 'dev', role: 'user' }, { provider: 'guarded', name: 'allowed', source: { git: { url: URL } } });
    const counter = countProviderReads();
    await reconciler.reconcile(workspace.id);
    const after = (await store.workspaces.get(workspace.id))!;
    expect(after.status).not.toBe('Error');
    expect(after.statusReason).toMatch(/retrying/);
    expect(counter.reads).toBe(1);
  });
});
