import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../lib/store';

/**
 * Every item of the table, sorted by key: lets a test prove a refused request changed nothing.
 * Tests only: the API never scans. A token's `lastUsedAt` is left out: it records that the token
 * authenticated (at most once a minute), which a request refused after authentication still did.
 * Outgoing-event queue items (outbox, deliveries) are left out too: a timer drains them meanwhile.
 */
const QUEUE_KINDS = new Set(['outbox', 'delivery']);

export async function dumpTable(store: Store): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.db.doc.send(new ScanCommand({ TableName: store.db.table, ExclusiveStartKey: start, ConsistentRead: true }));
    for (const item of out.Items ?? []) {
      if (item.kind === 'token') delete item.lastUsedAt;
      if (QUEUE_KINDS.has(String(item.kind))) continue;
      items.push(item);
    }
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
