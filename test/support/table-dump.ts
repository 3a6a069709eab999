import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../lib/store';

/**
 * Every item of the table, sorted by key: lets a test prove a refused request changed nothing.
 * Tests only: the product never scans.
 */
export async function dumpTable(store: Store): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await store.db.doc.send(new ScanCommand({ TableName: store.db.table, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}
