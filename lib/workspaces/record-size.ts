import { WorkbayError } from '../errors';

/**
 * Largest workspace record accepted at create. DynamoDB refuses items over 400 KB; the record grows
 * later (status reasons, driver refs, lease and index attributes), so it must start well below.
 */
export const MAX_RECORD_BYTES = 300 * 1024;

/**
 * Refuses, with 413 and before anything is written, a create whose record would not fit in one
 * DynamoDB item. `fields` are what the record copies from the request (devcontainer text, env,
 * options, source); the fixed part of a record is small and covered by the margin above.
 */
export function assertRecordFits(fields: Record<string, unknown>): void {
  const sizes = Object.entries(fields).map(([field, v]) => [field, v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v))] as const);
  const total = sizes.reduce((sum, [, n]) => sum + n, 0);
  if (total <= MAX_RECORD_BYTES) return;
  const largest = [...sizes].sort((a, b) => b[1] - a[1])[0]!;
  const kb = (n: number) => `${Math.ceil(n / 1024)} KiB`;
  throw new WorkbayError('request.tooLarge', `the workspace record would be ${kb(total)}; at most ${kb(MAX_RECORD_BYTES)} fit in one record`, {
    errors: [{ field: `body.${largest[0]}`, message: `is ${kb(largest[1])}, the largest part of a record that must stay within ${kb(MAX_RECORD_BYTES)}`, hint: 'Keep the devcontainer.json in the repository (a git source) instead of sending it inline.' }],
  });
}
