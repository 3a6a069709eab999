import { isIPv4, isIPv6 } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** Limits of the failed-authentication limiter. */
export interface AuthLimits {
  /** Failed authentications a client may have within `windowMs`; the next request gets 429. */
  failures: number;
  windowMs: number;
  /** Clients remembered at once; the one whose last failure is oldest is forgotten first. */
  maxClients: number;
}

/** 20 failures a minute per client, at most 10,000 clients remembered (about 2 MB). */
export const DEFAULT_AUTH_LIMITS: AuthLimits = { failures: 20, windowMs: 60_000, maxClients: 10_000 };

/**
 * Counts failed authentications per client in memory, in a sliding window. One instance per process
 * (per app). Memory is bounded: each client keeps at most `failures` timestamps and at most
 * `maxClients` clients are kept, so a flood of addresses evicts old entries instead of growing the map.
 * Successes do not reset the count: a caller holding one valid token could otherwise interleave it
 * with guesses and never be limited.
 */
export class FailedAuthLimiter {
  private readonly clients = new Map<string, number[]>();

  constructor(private readonly limits: AuthLimits = DEFAULT_AUTH_LIMITS) {}

  /** Seconds until `client` may try again (0 = not blocked). */
  retryAfter(client: string, now = Date.now()): number {
    const times = this.recent(client, now);
    if (times.length < this.limits.failures) return 0;
    return Math.max(1, Math.ceil((times[0]! + this.limits.windowMs - now) / 1000));
  }

  /** Records one failed authentication of `client`. */
  recordFailure(client: string, now = Date.now()): void {
    const times = this.recent(client, now);
    times.push(now);
    if (times.length > this.limits.failures) times.splice(0, times.length - this.limits.failures);
    // Re-inserting keeps the Map ordered by last failure, so the first key is the one to evict.
    this.clients.delete(client);
    this.clients.set(client, times);
    while (this.clients.size > this.limits.maxClients) this.clients.delete(this.clients.keys().next().value!);
  }

  /** Clients currently remembered (for tests and metrics). */
  get size(): number {
    return this.clients.size;
  }

  private recent(client: string, now: number): number[] {
    const times = this.clients.get(client);
    if (!times) return [];
    const from = now - this.limits.windowMs;
    while (times.length && times[0]! <= from) times.shift();
    if (!times.length) this.clients.delete(client);
    return times;
  }
}

interface LambdaEnv { requestContext?: { http?: { sourceIp?: string }; identity?: { sourceIp?: string } } }

/**
 * Who is calling, for the limiter: the API Gateway source IP on Lambda, the socket's peer address in
 * embedded mode. `X-Forwarded-For` is not trusted: anyone can send it, so it would let one client pose
 * as many. Without either (in-process `app.request`), all such callers share one bucket.
 */
export function clientKey(c: Context): string {
  const env = c.env as (LambdaEnv & { incoming?: unknown; server?: unknown }) | undefined;
  let address: string | undefined;
  if (env?.requestContext) address = env.requestContext.http?.sourceIp ?? env.requestContext.identity?.sourceIp;
  else if (env?.incoming || env?.server) address = getConnInfo(c).remote.address;
  return address ? addressKey(address) : 'unknown';
}

/**
 * Normalises an address into a bucket: IPv4-mapped IPv6 becomes IPv4, and IPv6 is bucketed by /64,
 * the block one subscriber usually holds (else each of its 2^64 addresses would be a fresh client).
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(a)) return a;
  if (!isIPv6(a)) return `other:${a.slice(0, 64)}`;
  const [head = '', tail = ''] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = a.includes('::') ? (tail ? tail.split(':') : []) : [];
  const full = a.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${full.slice(0, 4).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
