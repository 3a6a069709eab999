/**
 * The AWS stream path with real stream records: DynamoDB Local (Amazon's implementation, which has
 * streams; dynalite has none) holds the table as infra/table.ts defines it, changes go through the
 * store, the records are read with the DynamoDB Streams client and handed to the reconciler
 * function's handler logic. test/unit/lambda-stream.test.ts covers the same logic on hand-made records.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { tableDefinition } from '../../infra/table';
import { seedAdminToken } from '../../infra/admin-token';
import { createApp } from '../../lib/api';
import { changedWorkspaces, lambdaServices, reconcileStream, type DynamoDBStreamRecord } from '../../lib/runtime';
import { ensureTable, openStore, type Store, type WorkspaceRecord } from '../../lib/store';
import { startDynamoDBLocal, type DynamoDBLocal } from '../support/dynamodb-local';
import { objectsOf, testDocker } from '../support/docker-inspect';
import { openTableStream, type TableStream } from '../support/table-stream';
import { inSeconds, workspace } from '../contract/store-fixtures';

let ddb: DynamoDBLocal;
let store: Store;
let stream: TableStream;
const table = `stream-${ulid()}`;

beforeAll(async () => {
  ddb = await startDynamoDBLocal();
  process.stderr.write(`DynamoDB Local answered after ${ddb.startMs} ms on ${ddb.endpoint}\n`);
  // The deployed table (serverless.yml renders the same definition), stream included.
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: ddb.region, credentials: ddb.credentials });
  await client.send(new CreateTableCommand(tableDefinition(table)));
  client.destroy();
  store = openStore({ tableName: table, endpoint: ddb.endpoint, region: ddb.region, credentials: ddb.credentials });
  await ensureTable(store.db);
  stream = await openTableStream(ddb, table);
}, 120_000);

afterAll(async () => {
  stream?.close();
  store?.db.doc.destroy();
  await ddb?.stop();
});

const metaOf = (records: DynamoDBStreamRecord[], id: string) =>
  records.filter((r) => r.dynamodb?.Keys?.pk?.S === `WS#${id}` && r.dynamodb?.Keys?.sk?.S === 'META');

describe('stream reconciler on real stream records', () => {
  it('the table streams new and old images, as infra/table.ts defines it', async () => {
    const d = await store.db.doc.send(new DescribeTableCommand({ TableName: table }));
    expect(d.Table?.StreamSpecification).toEqual(tableDefinition(table).StreamSpecification);
    expect(stream.viewType).toBe('NEW_AND_OLD_IMAGES');
  });

  it('picks exactly the workspaces that need work, judged by their latest image, and reports a failure with its real records', async () => {
    const ws = store.workspaces;
    // The table's index shard count is written once, on first use (ADR 0015): not part of this batch.
    await ws.listWork();
    await stream.read({ timeoutMs: 1000 });
    // Needs work: just created.
    const fresh = workspace({ source: { git: { url: 'https://git.example/r.git', ref: 'main' } }, options: { A: '' } });
    await ws.create(fresh);
    // Settled within the batch: only its latest image counts.
    const settled = workspace();
    await ws.create(settled);
    await ws.update(settled, { ...settled, status: 'Running', driverRef: { containerId: 'c1' } });
    // A stop asked for.
    const stopping = workspace({ status: 'Running' });
    await ws.create(stopping);
    const stopAsked = await ws.update(stopping, { ...stopping, desiredState: 'Stopped', stopReason: 'user' });
    // Under a live lease: its worker is on it.
    const held = workspace();
    await ws.create(held);
    await ws.update(held, { ...held, status: 'Creating', leaseOwner: 'lambda-reconciler-1', leaseUntil: inSeconds(60) });
    // A worker died holding the lease.
    const abandoned = workspace();
    await ws.create(abandoned);
    await ws.update(abandoned, { ...abandoned, status: 'Creating', leaseOwner: 'lambda-reconciler-dead', leaseUntil: inSeconds(-60) });
    // Items that are not workspaces, in the same table and partitions.
    await store.events.append({ workspaceId: fresh.id, type: 'workspace.created', message: 'created' });
    await store.names.take(fresh.owner, fresh.name, { workspaceId: fresh.id, createdAt: fresh.createdAt });
    await store.providers.create({ name: 'docker', yaml: 'name: docker\n', optionValues: {}, version: 1, createdAt: fresh.createdAt, updatedAt: fresh.createdAt });
    await store.providers.markUse('docker', fresh.id);

    const records = await stream.read({ atLeast: 13 });
    expect(records.length).toBe(13);
    expect(metaOf(records, settled.id).map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    const modify = metaOf(records, stopping.id)[1]!.dynamodb!;
    expect(modify.OldImage?.desiredState).toEqual({ S: 'Running' });
    expect(modify.NewImage?.desiredState).toEqual({ S: 'Stopped' });

    const picked = changedWorkspaces(records);
    expect(picked.map((w) => w.id).sort()).toEqual([fresh.id, stopping.id, abandoned.id].sort());
    // The reconciler judges by the image, so it must read back as the record the store wrote.
    expect(picked.find((w) => w.id === fresh.id)?.latest).toMatchObject(fresh);
    expect(picked.find((w) => w.id === stopping.id)?.latest).toMatchObject(stopAsked as WorkspaceRecord);

    const seen: string[] = [];
    const res = await reconcileStream(async (id) => {
      seen.push(id);
      if (id === stopping.id) throw new Error('driver.unreachable: engine refused the connection');
    }, { Records: records });
    expect(seen.sort()).toEqual([fresh.id, stopping.id, abandoned.id].sort());
    expect(res.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(metaOf(records, stopping.id).map((r) => r.dynamodb!.SequenceNumber));
  });

  it('a delete comes through as a REMOVE record with the old image, which needs no reconcile', async () => {
    const w = workspace({ status: 'Deleting', desiredState: 'Deleted' });
    await store.workspaces.create(w);
    const before = await stream.read({ atLeast: 1 });
    expect(changedWorkspaces(before).map((c) => c.id)).toEqual([w.id]);
    await store.workspaces.remove(w);
    const after = await stream.read({ atLeast: 1 });
    const [remove] = metaOf(after, w.id);
    expect(remove).toMatchObject({ eventName: 'REMOVE', dynamodb: { OldImage: { desiredState: { S: 'Deleted' } } } });
    expect(remove!.dynamodb!.NewImage).toBeUndefined();
    expect(changedWorkspaces(after)).toEqual([]);
  });
});

describe('the AWS loop on real stream records: api function writes, the stream triggers the reconciler function', () => {
  it('creates a workspace to Running, settles on its own writes, and deletes it', async () => {
    const env = {
      WORKBAY_TABLE: table, AWS_REGION: 'us-east-1', WORKBAY_DYNAMODB_ENDPOINT: ddb.endpoint,
      WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host',
    };
    const logs: Record<string, unknown>[] = [];
    const apiFn = lambdaServices('api', env, { log: (e) => logs.push(e) });
    const api = createApp(apiFn);
    const fn = lambdaServices('reconciler', env, { log: (e) => logs.push(e) });
    const token = await seedAdminToken(store, { description: 'stream tests' });
    const call = async (method: string, path: string, body?: { json?: unknown; yaml?: string }) => {
      const res = await api.request(path, {
        method, headers: { authorization: `Bearer ${token}`, ...(body?.yaml ? { 'content-type': 'application/yaml' } : body?.json ? { 'content-type': 'application/json' } : {}) },
        body: body?.yaml ?? (body?.json ? JSON.stringify(body.json) : undefined),
      });
      return { status: res.status, body: res.status === 204 ? undefined : await res.json() as any };
    };
    // What the event source mapping does: deliver what is new, until a batch has nothing to do.
    const drive = async () => {
      const batches: DynamoDBStreamRecord[][] = [];
      for (let round = 0; round < 8; round++) {
        const records = await stream.read({ atLeast: 1, timeoutMs: 3000 });
        batches.push(records);
        if (!changedWorkspaces(records).length) return batches;
        expect(await reconcileStream((id) => fn.reconciler.reconcile(id), { Records: records }, { log: fn.log })).toEqual({ batchItemFailures: [] });
      }
      throw new Error(`the stream did not settle: ${JSON.stringify(logs.slice(-5))}`);
    };
    await stream.read({ timeoutMs: 1000 });
    const yaml = `name: streamed\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${inject('dockerHost')}\n`;
    expect((await call('POST', '/v1/providers', { yaml })).status).toBe(201);
    const created = await call('POST', '/v1/workspaces', { json: { name: 'streamed', provider: 'streamed', source: { image: 'workbay-test/busybox:local' } } });
    expect(created).toMatchObject({ status: 202, body: { status: 'Pending' } });
    const id = created.body.id as string;
    const docker = testDocker();
    try {
      const up = await drive();
      expect(await call('GET', `/v1/workspaces/${id}`)).toMatchObject({ status: 200, body: { status: 'Running', desiredState: 'Running' } });
      expect((await objectsOf(docker, id)).containers.map((c) => c.State)).toEqual(['running']);
      // The last batch is the reconciler's own writes coming back: they end unleased and ask for nothing.
      const own = metaOf(up.at(-1)!, id);
      expect(own.length).toBeGreaterThan(0);
      expect(own.at(-1)!.dynamodb?.NewImage).toMatchObject({ status: { S: 'Running' } });
      expect(own.at(-1)!.dynamodb?.NewImage?.leaseOwner).toBeUndefined();
      expect(up.length).toBeLessThanOrEqual(4);

      expect((await call('DELETE', `/v1/workspaces/${id}`)).status).toBeLessThan(300);
      const down = await drive();
      expect(down.length).toBeLessThanOrEqual(4);
      expect(down.flat().some((r) => r.eventName === 'REMOVE' && r.dynamodb?.Keys?.pk?.S === `WS#${id}`)).toBe(true);
      expect((await call('GET', `/v1/workspaces/${id}`)).status).toBe(404);
      expect((await objectsOf(docker, id)).containers).toEqual([]);
    } finally {
      // Best effort: a failed run must not leave the workspace's container on the shared engine.
      const { containers, volumes } = await objectsOf(docker, id);
      for (const c of containers) await docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined);
      for (const v of volumes) await docker.getVolume(v).remove().catch(() => undefined);
      fn.store.db.doc.destroy();
      apiFn.store.db.doc.destroy();
    }
  }, 120_000);
});
