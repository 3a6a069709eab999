import { ApiException } from '@kubernetes/client-node';

/** Polls `probe` every 100 ms until it returns a value (errors count as "not yet"); throws after the timeout. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Awaits a client-node call that must fail and returns its HTTP code and parsed v1 Status body. */
export async function statusOf(call: Promise<unknown>): Promise<{ code: number; body: Record<string, any> }> {
  try {
    await call;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, body };
  }
  throw new Error('expected the Kubernetes API call to fail');
}

/** One watch event as it arrives on the wire. */
export interface WireEvent {
  type: string;
  object: Record<string, any>;
}

/**
 * Opens a raw watch (`GET path`, any query) and collects events until `done(events)` is true, the server ends the
 * stream or `timeoutMs` passes. Raw HTTP on purpose: the test decides every query parameter a client would send.
 */
export async function readWatch(url: string, token: string, path: string, done: (events: WireEvent[]) => boolean, timeoutMs = 10_000): Promise<{ status: number; events: WireEvent[]; ended: boolean }> {
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, timeoutMs);
  const events: WireEvent[] = [];
  let ended = false;
  try {
    const res = await fetch(`${url}${path}`, { headers: { Authorization: `Bearer ${token}` }, signal: abort.signal });
    if (!res.ok || !res.body) return { status: res.status, events: res.body ? [{ type: 'STATUS', object: (await res.json()) as Record<string, any> }] : [], ended: true };
    const decoder = new TextDecoder();
    let buf = '';
    const reader = res.body.getReader();
    while (!done(events)) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) {
        ended = !timedOut;
        break;
      }
      buf += decoder.decode(chunk.value, { stream: true });
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        events.push(JSON.parse(buf.slice(0, nl)) as WireEvent);
        buf = buf.slice(nl + 1);
      }
    }
    return { status: res.status, events, ended };
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
