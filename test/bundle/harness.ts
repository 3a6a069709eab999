/**
 * What the bundle tests and the cold-start benchmark share: the functions built into a private
 * directory, a dynalite with the table, a seeded admin token, and the environment a deployed
 * function would have (plus the loopback store endpoint).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { buildAll, type BundleResult, type FunctionName } from '../../infra/build';
import { seedAdminToken } from '../../infra/admin-token';
import { ensureTable, openStore, type Store } from '../../lib/store';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo, type EmbeddedDynamo } from '../../lib/store/embedded';
import { keys } from '../../lib/store/keys';
import type { AttributeValue } from '../../lib/runtime';
import { startLambda, type LambdaProcess } from './lambda-process';

export const TABLE = 'workbay-lambda';

/** Built functions next to a table they can reach. */
export interface LambdaHarness {
  outDir: string;
  built: Record<string, BundleResult>;
  dynamo: EmbeddedDynamo;
  store: Store;
  adminToken: string;
  /** The functions' environment (as serverless.yml sets it, plus the test-only endpoint). */
  env: Record<string, string>;
  /** Starts a fresh process with one function loaded (`extra` is merged into the environment). */
  start(fn: FunctionName, extra?: Record<string, string>): LambdaProcess;
  /** A workspace item in wire form, as a stream record's NewImage carries it. */
  rawWorkspace(id: string): Promise<Record<string, AttributeValue>>;
  close(): Promise<void>;
}

/** Builds the functions (with infra/build.ts, what `npm run build` runs) and starts the table. */
export async function startHarness(o: { env?: Record<string, string> } = {}): Promise<LambdaHarness> {
  const outDir = mkdtempSync(join(tmpdir(), 'workbay-bundle-'));
  const built = await buildAll({ outDir });
  const dynamo = await startEmbeddedDynamo();
  const store = openStore({ tableName: TABLE, endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  await ensureTable(store.db);
  const adminToken = await seedAdminToken(store, { description: 'bundle tests' });
  const raw = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  const env = {
    WORKBAY_TABLE: TABLE, AWS_REGION: 'us-east-1', WORKBAY_SECRET_PREFIX: 'workbay/test/', WORKBAY_DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...o.env,
  };
  const procs: LambdaProcess[] = [];
  return {
    outDir, built, dynamo, store, adminToken, env,
    start: (fn, extra = {}) => {
      const p = startLambda(join(outDir, fn), { ...env, ...extra });
      procs.push(p);
      return p;
    },
    rawWorkspace: async (id) => {
      const out = await raw.send(new GetItemCommand({ TableName: TABLE, Key: { pk: { S: keys.workspace(id).pk }, sk: { S: 'META' } }, ConsistentRead: true }));
      if (!out.Item) throw new Error(`workspace ${id} is not in the table`);
      // Workspace items hold no binaries, the one place where the SDK's type and the stream's JSON differ.
      return out.Item as unknown as Record<string, AttributeValue>;
    },
    close: async () => {
      await Promise.all(procs.map((p) => p.close()));
      raw.destroy();
      store.db.doc.destroy();
      await dynamo.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
