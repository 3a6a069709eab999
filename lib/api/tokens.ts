import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every workbay token, so secret scanners and people can recognise one. */
export const TOKEN_PREFIX = 'wbt_';

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

/** The public part of a token shown in listings: its first characters, never enough to use it. */
export function tokenHint(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
