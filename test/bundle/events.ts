/**
 * Lambda events in the shapes AWS delivers them (copied field for field from the AWS documentation's
 * samples), for invoking the built bundles as Lambda would.
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '../../lib/runtime';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** An API Gateway HTTP API event, payload format 2.0 (`$default` route). */
export function httpEvent(method: string, path: string, o: { query?: string; token?: string; json?: unknown; yaml?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {
    accept: 'application/json', host: 'abc123.execute-api.us-east-1.amazonaws.com', 'user-agent': 'workbay-test',
    'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', ...o.headers,
  };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  let body: string | undefined;
  if (o.json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(o.json); }
  if (o.yaml !== undefined) { headers['content-type'] = 'application/yaml'; body = o.yaml; }
  const now = new Date();
  return {
    version: '2.0', routeKey: '$default', rawPath: path, rawQueryString: o.query ?? '', headers,
    ...(o.query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(o.query)) } : {}),
    requestContext: {
      accountId: ACCOUNT, apiId: 'abc123', domainName: 'abc123.execute-api.us-east-1.amazonaws.com', domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'workbay-test' },
      requestId: randomUUID(), routeKey: '$default', stage: '$default', time: now.toUTCString(), timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}

/** The EventBridge event of a `schedule:` rule. */
export function scheduledEvent() {
  return {
    version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT,
    time: new Date().toISOString(), region: REGION, resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/workbay-test-SweeperEventsRuleSchedule1`], detail: {},
  };
}

export const STREAM_ARN = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/workbay/stream/2026-11-28T00:00:00.000`;
let sequence = 100_000_000_000_000_000_000n;

/** One DynamoDB stream record of an item (`item` in wire form, as GetItem returns it). */
export function streamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: Record<string, AttributeValue>, old?: Record<string, AttributeValue>) {
  const keys = { pk: item.pk!, sk: item.sk! };
  return {
    eventID: randomUUID().replace(/-/g, ''), eventName, eventVersion: '1.1', eventSource: 'aws:dynamodb', awsRegion: REGION,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000), Keys: keys,
      ...(eventName !== 'REMOVE' ? { NewImage: item } : {}), ...(old ? { OldImage: old } : {}),
      SequenceNumber: String(sequence++), SizeBytes: JSON.stringify(item).length, StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
    eventSourceARN: STREAM_ARN,
  };
}

/** The event of a DynamoDB stream trigger. */
export const streamEvent = (...records: ReturnType<typeof streamRecord>[]) => ({ Records: records });
