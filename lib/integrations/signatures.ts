import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests whose timestamp is further than this from now (replay window). */
export const SLACK_WINDOW_SECONDS = 5 * 60;

/** Compares two strings in time that depends only on their length, never on where they differ. */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `sha256=<hex>` as GitHub sends it in `X-Hub-Signature-256`: HMAC-SHA256 of the raw body. */
export function githubSignature(secret: string, raw: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** True when `header` is GitHub's signature of exactly these bytes under `secret`. */
export function verifyGitHub(secret: string, raw: Uint8Array, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/.test(header)) return false;
  return sameText(githubSignature(secret, raw), header);
}

/** `v0=<hex>` as Slack sends it in `X-Slack-Signature`: HMAC-SHA256 of `v0:<timestamp>:<raw body>`. */
export function slackSignature(secret: string, timestamp: string, raw: Uint8Array): string {
  const mac = createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw);
  return `v0=${mac.digest('hex')}`;
}

/** Why a Slack request was refused, or `ok`. */
export type SlackVerdict = 'ok' | 'missing' | 'stale' | 'bad';

/**
 * Verifies a Slack request: both headers present, the timestamp within five minutes of `nowSeconds`
 * (either side, so a clock running ahead cannot mint requests for later), the signature over the raw body.
 */
export function verifySlack(secret: string, timestamp: string | undefined, raw: Uint8Array, header: string | undefined, nowSeconds: number): SlackVerdict {
  if (!timestamp || !header) return 'missing';
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > SLACK_WINDOW_SECONDS) return 'stale';
  if (!/^v0=[0-9a-f]{64}$/.test(header)) return 'bad';
  return sameText(slackSignature(secret, timestamp, raw), header) ? 'ok' : 'bad';
}
