import { describe, expect, it } from 'vitest';
import { DEFAULT_INDEX_SHARDS, initialShards, shardKeys, shardOf } from '../../../lib/store/shards';
import { decodeOwnerCursor, encodeOwnerCursor } from '../../../lib/store/owner-cursor';
import { itemSize } from '../../../bench/scale-model';

describe('index shards', () => {
  it('hashes an id to the same shard in every process and release (FNV-1a), evenly', () => {
    // Pinned: a different hash would strand every stored item in a shard its readers no longer compute.
    expect(shardOf('01HZX3W5Q6B7C8D9E0F1G2H3J4', 16)).toBe(shardOf('01HZX3W5Q6B7C8D9E0F1G2H3J4', 16));
    expect(shardOf('', 16)).toBe(0x811c9dc5 % 16);
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`01HZX3W5Q6B7C8D9E0${String(i).padStart(8, '0')}`, 16)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800);
    expect(Math.max(...counts)).toBeLessThan(1200);
  });

  it('readers query the unsharded key first, then every shard', () => {
    expect(shardKeys('SWEEP', 3)).toEqual(['SWEEP', 'SWEEP#0', 'SWEEP#1', 'SWEEP#2']);
  });

  it('takes the count of a new table from WORKBAY_INDEX_SHARDS and refuses nonsense', () => {
    expect(initialShards({})).toBe(DEFAULT_INDEX_SHARDS);
    expect(initialShards({ WORKBAY_INDEX_SHARDS: '256' })).toBe(256);
    for (const bad of ['0', '-1', '1.5', 'many', '100000']) expect(() => initialShards({ WORKBAY_INDEX_SHARDS: bad })).toThrow(/WORKBAY_INDEX_SHARDS/);
  });
});

describe('owner listing cursor', () => {
  const sk = 'WS#2026-01-01T00:00:00.000Z#01HZX3W5Q6B7C8D9E0F1G2H3J4';

  it('round-trips and is bound to its owner', () => {
    const c = encodeOwnerCursor('dana', sk)!;
    expect(decodeOwnerCursor(c, 'dana')).toBe(sk);
    expect(() => decodeOwnerCursor(c, 'erin')).toThrow(/invalid cursor/);
    expect(encodeOwnerCursor('dana', undefined)).toBeUndefined();
  });

  it('still reads the start keys handed out before sharding', () => {
    const old = Buffer.from(JSON.stringify({ gsi2pk: 'OWNER#dana', gsi2sk: sk, pk: 'WS#01HZX3W5Q6B7C8D9E0F1G2H3J4', sk: 'META' })).toString('base64url');
    expect(decodeOwnerCursor(old, 'dana')).toBe(sk);
    expect(() => decodeOwnerCursor(old, 'erin')).toThrow(/invalid cursor/);
    expect(() => decodeOwnerCursor(Buffer.from('{"before":"x","owner":"dana"}').toString('base64url'), 'dana')).toThrow(/invalid cursor/);
  });
});

describe('capacity model item size', () => {
  it('counts names and values as DynamoDB does', () => {
    expect(itemSize({ pk: 'WS#abc' })).toBe(2 + 6);
    expect(itemSize({ n: 12345 })).toBe(1 + 1 + 3);
    expect(itemSize({ m: { a: 'x' } })).toBe(1 + 3 + 1 + 1 + 1);
  });
});
