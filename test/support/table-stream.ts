import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
  type AttributeValue as SdkAttributeValue, type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBStreamRecord } from '../../lib/runtime';

/** Where a table lives (DynamoDB Local in tests). */
export interface StreamEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Reads a table's stream from its start, the way a Lambda event source mapping does. */
export interface TableStream {
  arn: string;
  viewType?: string;
  /** Records written since the last read, in shard order, shaped as Lambda delivers them. */
  read(o?: { atLeast?: number; timeoutMs?: number }): Promise<DynamoDBStreamRecord[]>;
  close(): void;
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

/** The SDK's attribute value (binaries as bytes) in Lambda's JSON form (binaries as base64). */
function toWire(v: SdkAttributeValue): AttributeValue {
  if (v.B) return { B: b64(v.B) };
  if (v.BS) return { BS: v.BS.map(b64) };
  if (v.M) return { M: toImage(v.M) };
  if (v.L) return { L: v.L.map(toWire) };
  return v as AttributeValue;
}

const toImage = (img: Record<string, SdkAttributeValue> | undefined) =>
  img && Object.fromEntries(Object.entries(img).map(([k, v]) => [k, toWire(v)]));

function toLambda(r: SdkRecord, arn: string): DynamoDBStreamRecord {
  const d = r.dynamodb ?? {};
  return {
    eventID: r.eventID, eventName: r.eventName, eventSourceARN: arn,
    dynamodb: {
      Keys: toImage(d.Keys), NewImage: toImage(d.NewImage), OldImage: toImage(d.OldImage),
      SequenceNumber: d.SequenceNumber, StreamViewType: d.StreamViewType,
    },
  };
}

/** Opens the stream of `table` (which must have one) with TRIM_HORIZON iterators on every shard. */
export async function openTableStream(at: StreamEndpoint, table: string): Promise<TableStream> {
  const ddb = new DynamoDBClient({ ...at, maxAttempts: 2 });
  const streams = new DynamoDBStreamsClient({ ...at, maxAttempts: 2 });
  const desc = await ddb.send(new DescribeTableCommand({ TableName: table }));
  ddb.destroy();
  const arn = desc.Table?.LatestStreamArn;
  if (!arn) throw new Error(`table ${table} has no stream`);
  const iterators = new Map<string, string | undefined>();

  const refreshShards = async () => {
    const { StreamDescription: s } = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
    for (const shard of s?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      iterators.set(shard.ShardId, it.ShardIterator);
    }
  };

  const readOnce = async (): Promise<DynamoDBStreamRecord[]> => {
    await refreshShards();
    const out: DynamoDBStreamRecord[] = [];
    for (const [shard, iterator] of iterators) {
      let it = iterator;
      while (it) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
        it = page.NextShardIterator;
        out.push(...(page.Records ?? []).map((r) => toLambda(r, arn)));
        if (!page.Records?.length) break;
      }
      iterators.set(shard, it);
    }
    return out;
  };

  return {
    arn,
    viewType: desc.Table?.StreamSpecification?.StreamViewType,
    async read(o = {}) {
      const until = Date.now() + (o.timeoutMs ?? 10_000);
      const got: DynamoDBStreamRecord[] = [];
      // Reads until a round brings nothing new (and at least `atLeast` arrived), as a poller would.
      for (;;) {
        const batch = await readOnce();
        got.push(...batch);
        if ((!batch.length && got.length >= (o.atLeast ?? 0)) || Date.now() > until) return got;
        if (!batch.length) await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => streams.destroy(),
  };
}
