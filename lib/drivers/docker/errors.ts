import type Docker from 'dockerode';
import { WorkbayError } from '../../errors';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'EACCES', 'ENOTFOUND']);

/** The engine a message names: Podman serves the Docker API, so an engine not known to be Podman is Docker. */
export type EngineName = 'Docker' | 'Podman';

const ENGINE = Symbol('workbay.engineName');
const namers = new WeakMap<object, () => EngineName>();

/**
 * Makes every error the client's engine calls fail with carry the engine's name, so `translate` names
 * the engine the provider configured without asking the engine again. `name` is read when an error
 * happens (what the driver knows by then); calling this again for a client replaces it.
 */
export function nameEngineErrors(docker: Docker, name: () => EngineName): void {
  const modem = docker.modem;
  const wrapped = namers.has(modem);
  namers.set(modem, name);
  if (wrapped) return;
  const dial = modem.dial.bind(modem);
  // Every dockerode call goes through dial, and its errors (HTTP and socket ones) through this callback.
  modem.dial = (options, callback) => dial(options, callback && ((err, data) => {
    if (err && typeof err === 'object') (err as { [ENGINE]?: EngineName })[ENGINE] = namers.get(modem)!();
    callback(err, data);
  }));
}

/** The HTTP status dockerode attached to an engine error, if any. */
export const engineStatus = (err: unknown): number | undefined => (err as { statusCode?: number } | undefined)?.statusCode;

/** True when the engine said the object does not exist. */
export const isMissing = (err: unknown) => engineStatus(err) === 404;

/**
 * Translates a dockerode failure into our error base. Messages carry the engine's own words and
 * error codes, never TLS material or credentials (those are not in dockerode's errors either), and
 * name the engine as nameEngineErrors recorded it (Docker when the error came from no named client).
 */
export function translate(err: unknown, doing: string): WorkbayError {
  if (err instanceof WorkbayError) return err;
  const e = err as { code?: string; message?: string; statusCode?: number; json?: { message?: string }; [ENGINE]?: EngineName };
  const name = e?.[ENGINE] ?? 'Docker';
  const code = e?.code ?? '';
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_OSSL/i.test(`${code} ${e?.message ?? ''}`) && !e?.statusCode) {
    return new WorkbayError('driver.unreachable', `TLS handshake with the ${name} engine failed while ${doing} (${code || 'TLS error'}); check the client certificate, key and CA`, { cause: err });
  }
  if (NETWORK_CODES.has(code)) {
    return new WorkbayError('driver.unreachable', `${name} engine unreachable while ${doing} (${code})`, { cause: err });
  }
  const detail = e?.json?.message ?? e?.message ?? String(err);
  return new WorkbayError('driver.failed', `${name} engine error while ${doing}: ${detail.replace(/^\(HTTP code \d+\)\s*/, '').slice(0, 500)}`, { cause: err });
}

/** Runs an engine call and translates its failure. */
export async function engine<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translate(err, doing);
  }
}
