import { describe, expect, it } from 'vitest';
import { nextAttemptAt, parseRetryAfter, RETRY_SCHEDULE_SECONDS } from '../../../lib/webhooks';

const now = new Date('2026-12-01T12:00:00.000Z');
const delay = (failed: number, random: number, scale = 1, retryAfter?: number) => {
  const at = nextAttemptAt(failed, now, { scale, random: () => random }, retryAfter);
  return at ? (at.getTime() - now.getTime()) / 1000 : undefined;
};

describe('webhook retry schedule', () => {
  it('is the spec\'s: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(RETRY_SCHEDULE_SECONDS).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    // random 0.5 is the middle of the jitter band: no spread.
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => delay(n, 0.5))).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
  });

  it('gives up after the eighth failed attempt', () => {
    expect(delay(8, 0.5)).toBeUndefined();
  });

  it('spreads each delay by at most ±20 %', () => {
    expect(delay(2, 0)).toBeCloseTo(240);
    expect(delay(2, 1)).toBeCloseTo(360);
    const seen = new Set(Array.from({ length: 20 }, () => nextAttemptAt(3, now, { scale: 1 })!.getTime()));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('shrinks with the scale setting (tests)', () => {
    expect(delay(2, 0.5, 0.001)).toBeCloseTo(0.3);
  });

  it('waits at least as long as Retry-After asks, capped at 10 h', () => {
    expect(delay(1, 0.5, 1, 120)).toBe(120);
    expect(delay(3, 0.5, 1, 60)).toBe(1800);
    expect(delay(1, 0.5, 1, 10 * 24 * 3600)).toBe(36000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Tue, 01 Dec 2026 12:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
