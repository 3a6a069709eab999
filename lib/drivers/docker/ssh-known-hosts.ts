import { createHash, createHmac } from 'node:crypto';

/** One trusted (or revoked) host key from a known_hosts text. */
interface KnownKey {
  /** Host patterns of the line; undefined for a bare public key line, which stands for the provider's one host. */
  patterns?: string[];
  type: string;
  blob: Buffer;
  revoked: boolean;
}

/** The outcome of checking the key a host presented. */
export type HostKeyVerdict =
  | { ok: true }
  | { ok: false; reason: 'unknown' | 'changed' | 'revoked'; fingerprint: string; type: string; line: string };

const KEY_TYPE = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

/** `SHA256:<base64, no padding>` of a public key blob, as `ssh-keygen -l` prints it. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const n = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + n).toString('latin1');
}

/**
 * Parses OpenSSH known_hosts text: `host[,host…] type base64 [comment]` lines, `[host]:port` entries,
 * hashed `|1|salt|hash` entries, `*`/`?` wildcards and `!` negations, `@revoked` markers, and bare
 * `type base64` public key lines. `@cert-authority` lines are ignored: certificates are not accepted.
 */
export function parseKnownHosts(text: string): KnownKey[] {
  const out: KnownKey[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    let parts = line.split(/\s+/);
    let revoked = false;
    if (parts[0]!.startsWith('@')) {
      if (parts[0] === '@cert-authority') continue;
      revoked = parts[0] === '@revoked';
      parts = parts.slice(1);
    }
    const bare = KEY_TYPE.test(parts[0] ?? '');
    const [hosts, type, b64] = bare ? [undefined, parts[0], parts[1]] : [parts[0], parts[1], parts[2]];
    if (!type || !b64 || !KEY_TYPE.test(type)) continue;
    const blob = Buffer.from(b64, 'base64');
    if (keyTypeOf(blob) !== type) continue;
    out.push({ ...(hosts ? { patterns: hosts.split(',') } : {}), type, blob, revoked });
  }
  return out;
}

function glob(pattern: string, name: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(name);
}

function hashedMatch(entry: string, name: string): boolean {
  const [, magic, salt, hash] = entry.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash;
}

/** known_hosts' name for a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function matches(k: KnownKey, name: string): boolean {
  if (!k.patterns) return true;
  let hit = false;
  for (const p of k.patterns) {
    if (p.startsWith('|')) hit ||= hashedMatch(p, name);
    else if (p.startsWith('!')) { if (glob(p.slice(1), name)) return false; }
    else hit ||= glob(p, name);
  }
  return hit;
}

/** The host key types the known keys name for this host, for the client's algorithm preference. */
export function expectedKeyTypes(known: KnownKey[], name: string): string[] {
  return [...new Set(known.filter((k) => !k.revoked && matches(k, name)).map((k) => k.type))];
}

/**
 * Judges a presented host key: accepted only when a known key for this host has the same bytes and is
 * not revoked. "changed" means the host has known keys but not this one (fail closed either way).
 */
export function verifyHostKey(known: KnownKey[], name: string, blob: Buffer): HostKeyVerdict {
  const forHost = known.filter((k) => matches(k, name));
  const type = keyTypeOf(blob);
  const fail = (reason: 'unknown' | 'changed' | 'revoked') =>
    ({ ok: false as const, reason, fingerprint: fingerprintOf(blob), type, line: `${name} ${type} ${blob.toString('base64')}` });
  if (forHost.some((k) => k.revoked && k.blob.equals(blob))) return fail('revoked');
  if (forHost.some((k) => !k.revoked && k.blob.equals(blob))) return { ok: true };
  return fail(forHost.some((k) => !k.revoked) ? 'changed' : 'unknown');
}
