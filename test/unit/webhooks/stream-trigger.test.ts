import { describe, expect, it } from 'vitest';
import { streamFilterPatterns } from '../../../infra/cloudformation';
import { hasOutboxInserts, reconcileStream } from '../../../lib/runtime/stream';

describe('outgoing events on AWS', () => {
  it('the stream trigger lets inserted outbox items through, so the function delivers them as they are written', () => {
    expect(streamFilterPatterns()).toContainEqual({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } });
  });

  it('a batch with an outbox insert asks for a dispatch; events and workspace changes alone do not', () => {
    const rec = (pk: string, sk: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE' = 'INSERT') => ({ eventName, dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } });
    expect(hasOutboxInserts([rec('WS#01J', 'META', 'MODIFY'), rec('OUTBOX#01K', 'META')])).toBe(true);
    expect(hasOutboxInserts([rec('WS#01J', 'EV#01K'), rec('OUTBOX#01K', 'META', 'REMOVE')])).toBe(false);
  });

  it('the stream function dispatches for such a batch; a failed dispatch fails no record (the schedule retries)', async () => {
    let dispatched = 0;
    const batch = { Records: [{ eventName: 'INSERT' as const, dynamodb: { Keys: { pk: { S: 'OUTBOX#01K' }, sk: { S: 'META' } }, SequenceNumber: '1' } }] };
    const ok = await reconcileStream(async () => {}, batch, { deliver: async () => { dispatched++; } });
    expect(dispatched).toBe(1);
    expect(ok.batchItemFailures).toEqual([]);
    const failed = await reconcileStream(async () => {}, batch, { deliver: async () => { throw new Error('receiver down'); } });
    expect(failed.batchItemFailures).toEqual([]);
    await reconcileStream(async () => {}, { Records: [] }, { deliver: async () => { dispatched++; } });
    expect(dispatched).toBe(1);
  });
});
