import { DynamoDBClient, CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableDefinition } from '../../infra/table';
import { WorkbayError } from '../errors';

/** Where the table lives. In embedded mode `endpoint` points at the in-process dynalite. */
export interface StoreOptions {
  tableName: string;
  region?: string;
  endpoint?: string;
  /** Static credentials, only for a local endpoint; on AWS the default provider chain is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A handle on the single table: the document client and the table's name. */
export interface Db {
  doc: DynamoDBDocumentClient;
  table: string;
}

/** Credentials for a local endpoint (dynalite checks their shape, not their value); never sent to AWS. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Builds the document client once per process. */
export function createDb(opts: StoreOptions): Db {
  const client = new DynamoDBClient({
    region: opts.region ?? 'us-east-1',
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    maxAttempts: 3,
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { doc, table: opts.tableName };
}

/** Creates the table from the shared definition when it does not exist yet (local bootstrap only). */
export async function ensureTable(db: Db): Promise<void> {
  try {
    await db.doc.send(new DescribeTableCommand({ TableName: db.table }));
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw unavailable(err);
  }
  const { StreamSpecification: _streams, ...def } = tableDefinition(db.table);
  try {
    await db.doc.send(new CreateTableCommand(def));
  } catch (err) {
    if ((err as { name?: string }).name !== 'ResourceInUseException') throw unavailable(err);
  }
  // Writes to a table that is still CREATING fail with ResourceNotFound, even on dynalite.
  for (let i = 0; i < 100; i++) {
    const d = await db.doc.send(new DescribeTableCommand({ TableName: db.table })).catch(() => undefined);
    if (d?.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw unavailable(new Error(`table ${db.table} did not become ACTIVE`));
}

/** Wraps a transport failure of the store in our error base. */
export function unavailable(err: unknown): WorkbayError {
  return new WorkbayError('store.unavailable', 'the state store is unavailable, try again', { cause: err });
}
