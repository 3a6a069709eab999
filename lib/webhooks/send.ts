import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { addressRefusal, checkWebhookUrl, hostOf, type UrlPolicy } from './address-guard';
import { parseRetryAfter } from './retry';

/** Bytes of a receiver's answer that are read (and kept for the log); the rest is dropped unread. */
export const MAX_RESPONSE_BYTES = 4096;

/** One attempt's outcome as the delivery log records it. */
export interface SendResult {
  statusCode?: number;
  durationMs: number;
  error?: string;
  retryAfterSeconds?: number;
}

/** How one request is made. */
export interface SendOptions extends UrlPolicy {
  timeoutMs: number;
  userAgent?: string;
}

class Refused extends Error {}

/**
 * DNS lookup that refuses a name resolving to any address the policy forbids. The connection uses the
 * addresses judged here, so a name cannot pass the check and then resolve elsewhere (DNS rebinding).
 */
function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.map((a) => addressRefusal(a.address, policy)).find(Boolean);
      if (bad || !addresses.length) return callback(new Refused(`${hostname} resolves to ${bad ?? 'no address'}`), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Says what went wrong in words for the log; no headers, bodies or secrets. */
function describe(err: unknown): string {
  if (err instanceof Refused) return `refused: ${err.message}`;
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ''}` : String(e?.message ?? err);
}

/**
 * POSTs one signed body: no redirects followed, the whole exchange bounded by `timeoutMs`, at most
 * MAX_RESPONSE_BYTES of the answer read. Never throws; failures come back as `error`.
 */
export async function sendOnce(url: string, headers: Record<string, string>, body: string, o: SendOptions): Promise<SendResult> {
  const started = Date.now();
  const done = (r: Omit<SendResult, 'durationMs'>): SendResult => ({ ...r, durationMs: Date.now() - started });
  let u: URL;
  try {
    u = checkWebhookUrl(url, o);
  } catch (err) {
    return done({ error: `refused: ${(err as Error).message}` });
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(u, {
      method: 'POST',
      // An IP literal is not looked up; checkWebhookUrl judged it above.
      ...(isIP(hostOf(u)) ? {} : { lookup: guardedLookup(o) }),
      headers: {
        ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)),
        'user-agent': o.userAgent ?? 'workbay-webhooks/1',
      },
    }, (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) res.destroy();
      });
      const end = () => finish({
        statusCode: res.statusCode,
        retryAfterSeconds: parseRetryAfter(res.headers['retry-after'], new Date()),
        ...(res.statusCode && res.statusCode >= 300 && res.statusCode < 400 ? { error: 'redirects are not followed' } : {}),
      });
      res.on('end', end);
      res.on('close', end);
      res.on('error', end);
    });
    const timer = setTimeout(() => {
      finish({ error: `timed out after ${o.timeoutMs} ms` });
      req.destroy();
    }, o.timeoutMs);
    req.on('error', (err) => finish({ error: describe(err) }));
    req.end(body);
  });
}
