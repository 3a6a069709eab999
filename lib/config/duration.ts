import { configError } from '../errors';
import { show } from './issues';

/** What a duration may look like, for error messages and hints. */
export const DURATION_FORMS =
  'a number of seconds (300) or a Go-style duration such as 90s, 10m, 1h30m, 1.5h, 500ms; empty or 0 means never';

const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;
const DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ms|h|m|s))+$/;
const DURATION_PART = /(\d+(?:\.\d*)?|\.\d+)(ms|h|m|s)/g;

/**
 * Parses a timeout into whole seconds, rounded up, 0 meaning "never".
 *
 * A bare number (`300` or `"300"`) is seconds: the DevPod docs' own example, although DevPod itself
 * would reject it. A string with units is a Go duration (`90s`, `10m`, `1h30m`, `1.5h`, `500ms`).
 * Empty, `undefined`, `null` and `0` all mean "never".
 *
 * @throws WorkbayError `config.invalid` naming `field` for negative values and anything else.
 */
export function parseDuration(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid(value, field);
    return Math.ceil(value);
  }
  if (typeof value !== 'string') throw invalid(value, field);
  const text = value.trim();
  if (text === '') return 0;
  if (BARE_NUMBER.test(text)) return Math.ceil(Number(text));
  if (!DURATION.test(text)) throw invalid(value, field);
  let ms = 0;
  for (const match of text.matchAll(DURATION_PART)) {
    ms += Number(match[1]) * UNIT_MS[match[2]!]!;
  }
  // Rounding to whole microseconds first keeps float noise (0.1h = 360000.00000000006 ms) from
  // turning into an extra second.
  const micros = Math.round(ms * 1000);
  return Math.ceil(micros / 1_000_000);
}

/** True when `value` is something parseDuration accepts. */
export function isDuration(value: unknown): boolean {
  try {
    parseDuration(value, 'value');
    return true;
  } catch {
    return false;
  }
}

/** Formats seconds back into a short Go-style duration (`1h30m`, `90s` -> `1m30s`, 0 -> `0`). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function invalid(value: unknown, field: string) {
  const negative =
    (typeof value === 'number' && value < 0) || (typeof value === 'string' && value.trim().startsWith('-'));
  const message = negative
    ? `${show(value)} is negative; a timeout cannot be negative`
    : `${show(value)} is not a duration`;
  return configError(`${field}: ${message}`, [{ field, message, hint: `Use ${DURATION_FORMS}.` }]);
}
