/**
 * Delays before each attempt, in seconds, after the previous one failed: the Standard Webhooks
 * example schedule (now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), about 27.5 hours in all.
 */
export const RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/** Spread of each delay (±20 %) so endpoints coming back are not hit by every retry at once. */
const JITTER = 0.2;
/** A receiver's Retry-After is honoured up to the longest step of the schedule. */
export const MAX_RETRY_AFTER_SECONDS = 36000;

/** What decides the next try. `scale` shortens the schedule (tests); `random` is for deterministic tests. */
export interface RetryOptions { scale: number; random?: () => number }

/**
 * When the next attempt is due after `failed` attempts of the current schedule have failed, or
 * undefined when the schedule is used up. A Retry-After longer than the step wins.
 */
export function nextAttemptAt(failed: number, now: Date, o: RetryOptions, retryAfterSeconds?: number): Date | undefined {
  const step = RETRY_SCHEDULE_SECONDS[failed];
  if (step === undefined) return undefined;
  const jitter = 1 + (((o.random ?? Math.random)() * 2) - 1) * JITTER;
  const ms = step * 1000 * o.scale * jitter;
  const after = retryAfterSeconds === undefined ? 0 : Math.min(retryAfterSeconds, MAX_RETRY_AFTER_SECONDS) * 1000;
  return new Date(now.getTime() + Math.max(ms, after));
}

/** Retry-After as seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}
