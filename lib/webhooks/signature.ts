import { createHmac, randomBytes } from 'node:crypto';
import type { WebhookSecret } from '../store';

/** Prefix of Standard Webhooks secrets; the rest is base64 of the key bytes. */
export const SECRET_PREFIX = 'whsec_';
/** Key length: the spec allows 24–64 bytes. */
const SECRET_BYTES = 32;

/** A new signing secret, `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The HMAC key of a secret: the base64-decoded part after `whsec_`. */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
}

/** One `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` signature (Standard Webhooks v1). */
export function sign(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The secrets that sign now: every one not expired, newest first. */
export function liveSecrets(secrets: WebhookSecret[], now: Date): WebhookSecret[] {
  return secrets.filter((s) => !s.expiresAt || Date.parse(s.expiresAt) > now.getTime());
}

/** The three Standard Webhooks headers of one attempt; during a rotation one signature per live secret. */
export function signedHeaders(secrets: WebhookSecret[], messageId: string, body: string, now: Date): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': liveSecrets(secrets, now).map((s) => sign(s.value, messageId, timestamp, body)).join(' '),
  };
}
