import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ulid } from 'ulid';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateToken } from '../../lib/api';
import { ensureTable, openStore, type WorkspaceRecord } from '../../lib/store';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../../lib/store/embedded';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { npmStart, type Started } from '../support/processes';

/**
 * A data dir holding records that used to take the embedded server down on every start (an image
 * reference that is a local path made docker-modem emit an unhandled error) must not keep it down:
 * the server comes up, serves, and each record ends in Error with the reason.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'workbay-poison-'));
const admin = generateToken();
const env = {
  PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: admin, DOCKER_HOST: inject('dockerHost'),
  WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host', WORKBAY_RECONCILE_INTERVAL: '1s',
};
let server: Started | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string) {
  const res = await fetch(`${server!.url}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
  return { status: res.status, body: (await res.json()) as any };
}

function record(name: string, extra: Partial<WorkspaceRecord>): WorkspaceRecord {
  const now = new Date().toISOString();
  return {
    id: ulid(), name, owner: 'admin', provider: 'local-docker', driver: 'docker', source: { image: 'workbay-test/busybox:local' },
    options: {}, env: {}, desiredState: 'Running', status: 'Pending', inactivityTimeoutSeconds: 0, inactivityTimeoutSource: 'provider',
    version: 1, createdAt: now, updatedAt: now, ...extra,
  };
}

/** Writes records straight into the data dir's table, as an older version (or a bug) could have left them. */
async function seed(records: WorkspaceRecord[]): Promise<void> {
  const dynamo = await startEmbeddedDynamo({ path: join(dataDir, 'dynamodb') });
  const store = openStore({ tableName: 'workbay', endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  try {
    await ensureTable(store.db);
    const now = new Date().toISOString();
    await store.providers.create({ name: 'local-docker', yaml: 'name: local-docker\n', optionValues: {}, version: 1, createdAt: now, updatedAt: now });
    for (const r of records) await store.workspaces.create(r);
  } finally {
    store.db.doc.destroy();
    await dynamo.close();
  }
}

async function settled(id: string): Promise<any> {
  let ws: any;
  for (let i = 0; i < 120; i++) {
    ws = (await call('GET', `/v1/workspaces/${id}`)).body;
    if (ws.status === 'Error' || ws.status === 'Running') return ws;
    await new Promise((r) => setTimeout(r, 250));
  }
  return ws;
}

describe('a server restarted over a data dir holding poison records', () => {
  const localPath = record('local-path', { source: { image: '/some/path' } });
  // Three earlier processes died while working on it (the pass count is written before acting).
  const crashed = record('crashed-thrice', {
    status: 'Creating', unfinishedPasses: 3, leaseOwner: 'embedded-1-dead#01', leaseUntil: new Date(Date.now() + 600_000).toISOString(),
  });

  it('comes up, serves, and puts each record in Error with the reason instead of dying', async () => {
    await seed([localPath, crashed]);
    server = await npmStart(env);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const a = await settled(localPath.id);
    expect(a.status).toBe('Error');
    expect(a.statusReason).toMatch(/"\/some\/path" is a local path, not an image reference/);
    const b = await settled(crashed.id);
    expect(b.status).toBe('Error');
    expect(b.statusReason).toMatch(/stopped 3 times while working on this workspace/);

    expect(server.child.exitCode).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await call('GET', '/v1/workspaces')).body.items).toHaveLength(2);
    const events = (await call('GET', `/v1/workspaces/${localPath.id}/events`)).body.items.map((e: any) => e.type);
    expect(events).toContain('workspace.error');
    // Given up before acting: nothing was made on the engine for either.
    const docker = testDocker();
    for (const id of [localPath.id, crashed.id]) expect((await objectsOf(docker, id)).containers).toEqual([]);
  }, 120_000);

  it('does not re-drive them after another restart', async () => {
    const before = await Promise.all([localPath.id, crashed.id].map(async (id) => (await call('GET', `/v1/workspaces/${id}`)).body.version));
    await server!.stop();
    server = await npmStart(env);
    await new Promise((r) => setTimeout(r, 3000));
    const after = await Promise.all([localPath.id, crashed.id].map(async (id) => (await call('GET', `/v1/workspaces/${id}`)).body));
    expect(after.map((w) => w.status)).toEqual(['Error', 'Error']);
    expect(after.map((w) => w.version)).toEqual(before);
    expect(server.child.exitCode).toBeNull();
  }, 120_000);
});
