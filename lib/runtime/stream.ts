import pMap from 'p-map';
import { needsWork, type WorkspaceRecord } from '../store';
import { keys } from '../store/keys';
import type { Log } from './services';

/** A DynamoDB attribute value as stream records carry it (the wire form, not the document form). */
export type AttributeValue = {
  S?: string; N?: string; BOOL?: boolean; NULL?: boolean; B?: string;
  M?: Record<string, AttributeValue>; L?: AttributeValue[]; SS?: string[]; NS?: string[]; BS?: string[];
};

/** One record of a DynamoDB stream event, as Lambda delivers it. */
export interface DynamoDBStreamRecord {
  eventID?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSourceARN?: string;
  dynamodb?: {
    Keys?: Record<string, AttributeValue>;
    NewImage?: Record<string, AttributeValue>;
    OldImage?: Record<string, AttributeValue>;
    SequenceNumber?: string;
    StreamViewType?: string;
  };
}

/** The event of a DynamoDB stream trigger. */
export interface DynamoDBStreamEvent { Records: DynamoDBStreamRecord[] }

/** Partial batch response (`functionResponseType: ReportBatchItemFailures`). */
export interface StreamBatchResponse { batchItemFailures: { itemIdentifier: string }[] }

/** The wire form to plain values (numbers as numbers, binaries left as their base64 text). */
export function fromAttribute(v: AttributeValue): unknown {
  if (v.S !== undefined) return v.S;
  if (v.N !== undefined) return Number(v.N);
  if (v.BOOL !== undefined) return v.BOOL;
  if (v.NULL) return null;
  if (v.M) return fromImage(v.M);
  if (v.L) return v.L.map(fromAttribute);
  if (v.SS) return v.SS;
  if (v.NS) return v.NS.map(Number);
  return v.B ?? v.BS;
}

/** A stream image (an item in wire form) as a plain object. */
export function fromImage(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(image).map(([k, v]) => [k, fromAttribute(v)]));
}

/** A changed workspace of one batch: the stream's sequence numbers of its records, and its latest image. */
export interface ChangedWorkspace {
  id: string;
  sequenceNumbers: string[];
  latest?: WorkspaceRecord;
}

/**
 * The workspaces of a batch that need a reconcile: workspace items (`WS#<id>`/`META`, not events or
 * other items) that were inserted or modified, judged by their latest image in the batch. Removals
 * are done work. A live lease means a worker is on it; when it lets go, that write comes through
 * the stream again, and a retry backoff waits for the sweeper's re-drive, as in embedded mode.
 */
export function changedWorkspaces(records: DynamoDBStreamRecord[], now = Date.now()): ChangedWorkspace[] {
  const byId = new Map<string, ChangedWorkspace>();
  for (const r of records) {
    const pk = r.dynamodb?.Keys?.pk?.S;
    if (!pk?.startsWith('WS#') || r.dynamodb?.Keys?.sk?.S !== 'META') continue;
    const id = pk.slice(3);
    if (r.eventName === 'REMOVE') {
      byId.delete(id);
      continue;
    }
    if (r.eventName !== 'INSERT' && r.eventName !== 'MODIFY') continue;
    const entry = byId.get(id) ?? { id, sequenceNumbers: [] };
    if (r.dynamodb?.SequenceNumber) entry.sequenceNumbers.push(r.dynamodb.SequenceNumber);
    entry.latest = r.dynamodb?.NewImage ? (fromImage(r.dynamodb.NewImage) as unknown as WorkspaceRecord) : undefined;
    byId.set(id, entry);
  }
  return [...byId.values()].filter(({ latest }) => !latest
    || (needsWork(latest) && !(latest.leaseUntil && Date.parse(latest.leaseUntil) > now)));
}

/** True when a batch inserted outgoing events (`OUTBOX#<eventId>` items). */
export function hasOutboxInserts(records: DynamoDBStreamRecord[]): boolean {
  return records.some((r) => r.eventName === 'INSERT' && r.dynamodb?.Keys?.pk?.S?.startsWith(keys.outbox('').pk));
}

/** Reconciles each changed workspace of a stream batch; a failure is reported for its records only. */
export async function reconcileStream(
  reconcile: (id: string) => Promise<void>,
  event: DynamoDBStreamEvent,
  o: { log?: Log; concurrency?: number; deliver?: () => Promise<unknown> } = {},
): Promise<StreamBatchResponse> {
  const todo = changedWorkspaces(event.Records ?? []);
  const failures: string[] = [];
  await pMap(todo, async (ws) => {
    try {
      await reconcile(ws.id);
    } catch (err) {
      failures.push(...ws.sequenceNumbers);
      o.log?.({ level: 'error', msg: 'reconcile failed', workspaceId: ws.id, error: err instanceof Error ? err.message : String(err) });
    }
  }, { concurrency: o.concurrency ?? 4 });
  // New outbox items: deliver now. A failure fails no record: the items stay and the schedule delivers them.
  if (o.deliver && hasOutboxInserts(event.Records ?? [])) {
    await o.deliver().catch((err: unknown) => o.log?.({ level: 'error', msg: 'webhook dispatch failed', error: err instanceof Error ? err.message : String(err) }));
  }
  o.log?.({ level: 'info', msg: 'stream batch', records: event.Records?.length ?? 0, reconciled: todo.length, failed: failures.length });
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}
