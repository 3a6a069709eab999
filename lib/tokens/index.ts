/** API tokens: generation, hashing, expiry and views. A leaf of the API: infra/ uses it without the API. */
import { createHash, randomBytes } from 'node:crypto';
import { isDuration, parseDuration } from '../config/duration';
import { WorkbayError } from '../errors';
import type { Role, TokenRecord } from '../store';

/** Prefix of every workbay token, so secret scanners and people can recognise one. */
export const TOKEN_PREFIX = 'wbt_';

/** Longest lifetime a token may be issued with (ten years); omit the expiry for one that never expires. */
export const MAX_TOKEN_SECONDS = 10 * 366 * 24 * 3600;

/** A new random token (256 bits). The caller shows it once and stores only its hash. */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * SHA-256 of a token. Tokens are 256-bit random values, so a fast hash is enough: there is nothing to
 * brute-force, unlike passwords.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The public part of a token shown in listings and used to revoke it: its first characters, never
 * enough to use it. A token workbay did not generate (a chosen `WORKBAY_ADMIN_TOKEN`) may be short, so
 * showing its first characters would give part of it away; it gets a prefix taken from its hash.
 */
export function tokenHint(token: string): string {
  if (token.startsWith(TOKEN_PREFIX) && token.length >= 40) return token.slice(0, TOKEN_PREFIX.length + 6);
  return `wbh_${hashToken(token).slice(0, 10)}`;
}

/** The stored record of a token; the token itself is not part of it. */
export function tokenRecord(token: string, o: { owner: string; role: Role; description?: string; validUntil?: string; now?: Date }): TokenRecord {
  return {
    hash: hashToken(token), prefix: tokenHint(token), owner: o.owner, role: o.role,
    ...(o.description ? { description: o.description } : {}),
    ...(o.validUntil ? { validUntil: o.validUntil } : {}),
    createdAt: (o.now ?? new Date()).toISOString(),
  };
}

/** What listings show of a token: never the secret nor its hash. */
export interface TokenView {
  prefix: string;
  owner: string;
  role: Role;
  description?: string;
  createdAt: string;
  lastUsedAt?: string;
  expiresAt?: string;
  expired: boolean;
  bootstrap: boolean;
}

/** A record as listings show it, with `expired` judged at `now`. */
export function tokenView(t: TokenRecord, now = Date.now()): TokenView {
  return {
    prefix: t.prefix, owner: t.owner, role: t.role,
    ...(t.description ? { description: t.description } : {}),
    createdAt: t.createdAt,
    ...(t.lastUsedAt ? { lastUsedAt: t.lastUsedAt } : {}),
    ...(t.validUntil ? { expiresAt: t.validUntil } : {}),
    expired: isExpired(t, now),
    bootstrap: t.bootstrap === true,
  };
}

/** True once a token's expiry has passed. */
export function isExpired(t: Pick<TokenRecord, 'validUntil'>, now = Date.now()): boolean {
  return t.validUntil !== undefined && Date.parse(t.validUntil) <= now;
}

const DAYS = /^(\d{1,5})d$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The expiry of a token being issued, from `expiresIn` (seconds, a duration such as `12h`, or days
 * such as `90d`) or `expiresAt` (an ISO time); undefined when neither is given (never expires).
 * @throws WorkbayError `request.invalid` naming the field.
 */
export function resolveExpiry(body: { expiresIn?: number | string; expiresAt?: string }, now = new Date()): string | undefined {
  const bad = (field: string, message: string) =>
    new WorkbayError('request.invalid', `invalid body: body.${field}: ${message}`, { errors: [{ field: `body.${field}`, message }] });
  if (body.expiresIn !== undefined && body.expiresAt !== undefined) throw bad('expiresAt', 'give expiresIn or expiresAt, not both');
  let seconds: number | undefined;
  if (body.expiresIn !== undefined) {
    const v = body.expiresIn;
    const days = typeof v === 'string' ? DAYS.exec(v.trim()) : null;
    if (days) seconds = Number(days[1]) * 86_400;
    else if (isDuration(v)) seconds = parseDuration(v, 'expiresIn');
    else throw bad('expiresIn', 'must be a number of seconds, a duration such as 90m or 12h, or days such as 30d');
    if (seconds < 1) throw bad('expiresIn', 'must be at least 1 second; leave expiresIn out for a token that never expires');
    if (seconds > MAX_TOKEN_SECONDS) throw bad('expiresIn', 'must be at most ten years');
    return new Date(now.getTime() + seconds * 1000).toISOString();
  }
  if (body.expiresAt !== undefined) {
    const at = ISO_TIME.test(body.expiresAt) ? Date.parse(body.expiresAt) : Number.NaN;
    if (Number.isNaN(at)) throw bad('expiresAt', 'must be an ISO 8601 time such as 2030-01-31T00:00:00Z');
    if (at <= now.getTime()) throw bad('expiresAt', 'must be in the future');
    if (at - now.getTime() > MAX_TOKEN_SECONDS * 1000) throw bad('expiresAt', 'must be at most ten years ahead');
    return new Date(at).toISOString();
  }
  return undefined;
}
