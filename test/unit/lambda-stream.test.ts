/**
 * The reconciler function's reading of a DynamoDB stream batch: which records mean work, and which
 * records a failure is reported for. The reconcile step is passed in, so no store is needed here
 * (test/bundle/lambda-handlers.test.ts runs the built function against a table and an engine).
 */
import { describe, expect, it } from 'vitest';
import { changedWorkspaces, fromImage, reconcileStream, type AttributeValue, type DynamoDBStreamRecord } from '../../lib/runtime';

let seq = 1000;
const S = (s: string) => ({ S: s });

function image(id: string, f: { status?: string; desiredState?: string; leaseOwner?: string; leaseUntil?: string } = {}): Record<string, AttributeValue> {
  return {
    pk: S(`WS#${id}`), sk: S('META'), id: S(id), status: S(f.status ?? 'Pending'), desiredState: S(f.desiredState ?? 'Running'), version: { N: '3' },
    ...(f.leaseOwner ? { leaseOwner: S(f.leaseOwner) } : {}), ...(f.leaseUntil ? { leaseUntil: S(f.leaseUntil) } : {}),
  };
}

function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', img: Record<string, AttributeValue>, o: { keysOnly?: boolean } = {}): DynamoDBStreamRecord {
  return {
    eventName, eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/workbay/stream/x',
    dynamodb: {
      Keys: { pk: img.pk!, sk: img.sk! }, SequenceNumber: String(seq++),
      ...(eventName !== 'REMOVE' && !o.keysOnly ? { NewImage: img } : {}), StreamViewType: o.keysOnly ? 'KEYS_ONLY' : 'NEW_AND_OLD_IMAGES',
    },
  };
}

const soon = new Date(Date.now() + 60_000).toISOString();
const past = new Date(Date.now() - 60_000).toISOString();

describe('changedWorkspaces', () => {
  it('keeps inserted and modified workspaces that need work, and nothing else', () => {
    const ids = changedWorkspaces([
      record('INSERT', image('new')),
      record('MODIFY', image('stopping', { status: 'Running', desiredState: 'Stopped' })),
      record('MODIFY', image('settled', { status: 'Running' })),
      record('MODIFY', image('failed', { status: 'Error' })),
      record('MODIFY', image('delete-failed', { status: 'Error', desiredState: 'Deleted' })),
      record('REMOVE', image('gone', { desiredState: 'Deleted', status: 'Deleting' })),
      record('INSERT', { pk: S('WS#new'), sk: S('EV#01J0'), type: S('workspace.created') }),
      record('MODIFY', { pk: S('PROVIDER#docker'), sk: S('META'), status: S('Pending') }),
      record('INSERT', { pk: S('TOKEN#abc'), sk: S('META') }),
    ]).map((w) => w.id);
    // A delete that ended in Error waits for a person (retry or ?force=true) instead of looping.
    expect(ids).toEqual(['new', 'stopping']);
  });

  it('leaves workspaces under a live lease or a retry backoff to their worker and the re-drive', () => {
    const ids = changedWorkspaces([
      record('MODIFY', image('held', { status: 'Creating', leaseOwner: 'lambda-reconciler-1', leaseUntil: soon })),
      record('MODIFY', image('backoff', { leaseUntil: soon })),
      record('MODIFY', image('expired', { status: 'Creating', leaseOwner: 'lambda-reconciler-dead', leaseUntil: past })),
    ]).map((w) => w.id);
    expect(ids).toEqual(['expired']);
  });

  it('judges a workspace by its latest image in the batch and keeps all its sequence numbers', () => {
    const a = record('MODIFY', image('ws', { status: 'Creating', leaseOwner: 'w', leaseUntil: soon }));
    const b = record('MODIFY', image('ws', { status: 'Running' }));
    expect(changedWorkspaces([a, b])).toEqual([]);
    const c = record('MODIFY', image('ws', { status: 'Running', desiredState: 'Stopped' }));
    const [only] = changedWorkspaces([a, b, c]);
    expect(only).toMatchObject({ id: 'ws', sequenceNumbers: [a, b, c].map((r) => r.dynamodb!.SequenceNumber) });
  });

  it('reconciles a keys-only record, since only the table can tell', () => {
    expect(changedWorkspaces([record('MODIFY', image('k'), { keysOnly: true })]).map((w) => w.id)).toEqual(['k']);
  });
});

describe('reconcileStream', () => {
  it('reconciles each workspace once and reports only the failed one\'s records', async () => {
    const seen: string[] = [];
    const bad = [record('INSERT', image('bad')), record('MODIFY', image('bad', { status: 'Creating' }))];
    const batch = { Records: [record('INSERT', image('ok1')), bad[0]!, record('MODIFY', image('ok1')), bad[1]!, record('INSERT', image('ok2'))] };
    const logs: Record<string, unknown>[] = [];
    const res = await reconcileStream(async (id) => {
      seen.push(id);
      if (id === 'bad') throw new Error('the state store is unavailable, try again');
    }, batch, { log: (e) => logs.push(e) });
    expect(seen.sort()).toEqual(['bad', 'ok1', 'ok2']);
    expect(res).toEqual({ batchItemFailures: bad.map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber })) });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', workspaceId: 'bad' }));
  });

  it('returns no failures for a batch with nothing to do', async () => {
    expect(await reconcileStream(async () => { throw new Error('not called'); }, { Records: [] })).toEqual({ batchItemFailures: [] });
  });
});

describe('fromImage', () => {
  it('reads every attribute type of the wire form', () => {
    expect(fromImage({
      s: S('x'), n: { N: '1.5' }, b: { BOOL: false }, z: { NULL: true }, m: { M: { inner: { L: [S('a'), { N: '2' }] } } },
      ss: { SS: ['a', 'b'] }, ns: { NS: ['1', '2'] }, bin: { B: 'AQI=' },
    })).toEqual({ s: 'x', n: 1.5, b: false, z: null, m: { inner: ['a', 2] }, ss: ['a', 'b'], ns: [1, 2], bin: 'AQI=' });
  });
});
