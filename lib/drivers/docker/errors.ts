import { WorkbayError } from '../../errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EACCES', 'ENOTFOUND']);

/** The HTTP status dockerode attached to an engine error, if any. */
export const engineStatus = (err: unknown): number | undefined => (err as { statusCode?: number } | undefined)?.statusCode;

/** True when the engine said the object does not exist. */
export const isMissing = (err: unknown) => engineStatus(err) === 404;

/**
 * Translates a dockerode failure into our error base. Messages carry the engine's own words and
 * error codes, never TLS material or credentials (those are not in dockerode's errors either).
 */
export function translate(err: unknown, doing: string): WorkbayError {
  if (err instanceof WorkbayError) return err;
  const e = err as { code?: string; message?: string; statusCode?: number; json?: { message?: string } };
  const code = e?.code ?? '';
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL/i.test(`${code} ${e?.message ?? ''}`) && !e?.statusCode) {
    return new WorkbayError('driver.unreachable', `TLS handshake with the Docker engine failed while ${doing} (${code || 'TLS error'}); check the client certificate, key and CA`, { cause: err });
  }
  if (NETWORK_CODES.has(code)) {
    return new WorkbayError('driver.unreachable', `Docker engine unreachable while ${doing} (${code})`, { cause: err });
  }
  const detail = e?.json?.message ?? e?.message ?? String(err);
  return new WorkbayError('driver.failed', `Docker engine error while ${doing}: ${detail.replace(/^\(HTTP code \d+\)\s*/, '').slice(0, 500)}`, { cause: err });
}

/** Runs an engine call and translates its failure. */
export async function engine<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translate(err, doing);
  }
}
