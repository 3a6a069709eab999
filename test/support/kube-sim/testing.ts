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
