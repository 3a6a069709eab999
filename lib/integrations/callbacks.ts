import { WorkbayError } from '../errors';

/** Hosts follow-ups may be POSTed to in production: Slack's response_url host, over https. */
const ALLOWED_HOSTS = new Set(['hooks.slack.com']);
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** A follow-up that takes longer than this is dropped; the workspace's events still tell. */
const POST_TIMEOUT_MS = 10_000;

/**
 * Why `url` may not receive a callback, or undefined when it may: https to an allowed host, or,
 * when the process allows it (embedded mode for tests, WORKBAY_ALLOW_LOOPBACK_CALLBACKS=true),
 * http(s) to a loopback address. Nothing else, so a forged response_url cannot make the control plane
 * call into its own network.
 */
export function callbackProblem(url: string, allowLoopback: boolean): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.username || u.password) return 'URLs with credentials are not called';
  if (allowLoopback && LOOPBACK.has(u.hostname) && (u.protocol === 'http:' || u.protocol === 'https:')) return undefined;
  if (u.protocol !== 'https:') return 'only https URLs are called';
  if (!ALLOWED_HOSTS.has(u.hostname) || (u.port && u.port !== '443')) return `only ${[...ALLOWED_HOSTS].join(', ')} is called`;
  return undefined;
}

/** POSTs JSON to an allowed callback URL; refuses any other URL before connecting. */
export async function postCallback(url: string, body: unknown, allowLoopback: boolean, fetchImpl: typeof fetch = fetch): Promise<number> {
  const problem = callbackProblem(url, allowLoopback);
  if (problem) throw new WorkbayError('request.invalid', `callback URL refused: ${problem}`);
  const res = await fetchImpl(url, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    redirect: 'manual', signal: AbortSignal.timeout(POST_TIMEOUT_MS),
  });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}
