import { BlockList, isIP } from 'node:net';
import { WorkbayError } from '../errors';

/** Where outgoing deliveries may go. On AWS both are false; embedded tests allow loopback. */
export interface UrlPolicy {
  /** Allows 127.0.0.0/8 and ::1 (and plain http to them): WORKBAY_ALLOW_LOOPBACK_WEBHOOKS=true, embedded only. */
  allowLoopback: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Not public: private, shared, loopback, link-local (cloud metadata), documentation, multicast, reserved. */
const NOT_PUBLIC = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(net, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped or -compatible IPv6 address (`::ffff:10.0.0.1`), if it is one. */
function embeddedV4(ip: string): string | undefined {
  const m = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!hex) return undefined;
  const [a, b] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Why an address may not be called, or undefined when it may. */
export function addressRefusal(ip: string, policy: UrlPolicy): string | undefined {
  const v4 = isIP(ip) === 6 ? embeddedV4(ip) : undefined;
  const addr = v4 ?? ip;
  const family = isIP(addr) === 4 ? 'ipv4' : isIP(addr) === 6 ? 'ipv6' : undefined;
  if (!family) return `${ip} is not an IP address`;
  if (policy.allowLoopback && LOOPBACK.check(addr, family)) return undefined;
  if (NOT_PUBLIC.check(addr, family)) return `${ip} is not a public address`;
  return undefined;
}

/** True for a loopback IP literal or `localhost`, the only hosts plain http may go to (when allowed). */
function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && LOOPBACK.check(embeddedV4(host) ?? host, isIP(embeddedV4(host) ?? host) === 4 ? 'ipv4' : 'ipv6');
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (u: URL): string => u.hostname.replace(/^\[|\]$/g, '');

/**
 * Judges a subscription URL before it is stored (and again before every send): https, no
 * credentials, no fragment, and an IP literal only if it is public. Names are judged once resolved,
 * at send time (see guardedLookup), because DNS can change after this check.
 */
export function checkWebhookUrl(raw: string, policy: UrlPolicy): URL {
  const refuse = (message: string) => new WorkbayError('request.invalid', `webhook URL refused: ${message}`, { errors: [{ field: 'body.url', message }] });
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refuse('not an absolute URL');
  }
  const host = hostOf(u);
  const plainOk = u.protocol === 'http:' && policy.allowLoopback && isLoopbackHost(host);
  if (u.protocol !== 'https:' && !plainOk) throw refuse('must be https://');
  if (u.username || u.password) throw refuse('must not carry credentials; authenticate the request by its signature');
  if (u.hash) throw refuse('must not have a #fragment');
  if (isIP(host)) {
    const why = addressRefusal(host, policy);
    if (why) throw refuse(why);
  } else if ((host === 'localhost' || host.endsWith('.localhost')) && !policy.allowLoopback) {
    throw refuse('localhost is not a public address');
  }
  return u;
}
