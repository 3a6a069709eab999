import { WorkbayError } from '../../errors';

interface KubeStatus { message?: string; reason?: string; details?: { causes?: { field?: string; message?: string }[] } }

/** The HTTP status of a Kubernetes API failure, if it was one. */
export const kubeStatus = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
};

export const isNotFound = (err: unknown) => kubeStatus(err) === 404;
export const isConflict = (err: unknown) => kubeStatus(err) === 409;

function statusOf(err: unknown): KubeStatus {
  const body = (err as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as KubeStatus;
    } catch {
      return { message: body.slice(0, 300) };
    }
  }
  return (body && typeof body === 'object' ? body : {}) as KubeStatus;
}

/**
 * Translates a Kubernetes API failure: 5xx, 429 and transport errors are retryable
 * (`driver.unreachable`); 403, 404, 409 and 422 are reported with the API server's own message.
 */
export function translateKube(err: unknown, doing: string): WorkbayError {
  if (err instanceof WorkbayError) return err;
  const code = kubeStatus(err);
  if (code === undefined || (code < 100 && code !== 0)) {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const why = e.cause?.code ?? (typeof e.code === 'string' ? e.code : undefined) ?? e.message ?? String(err);
    return new WorkbayError('driver.unreachable', `Kubernetes API unreachable while ${doing} (${why})`, { cause: err });
  }
  const s = statusOf(err);
  const causes = (s.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join('; ');
  const detail = `${s.message ?? `HTTP ${code}`}${causes && !(s.message ?? '').includes(causes) ? ` (${causes})` : ''}`;
  if (code >= 500 || code === 429) {
    return new WorkbayError('driver.unreachable', `Kubernetes API error ${code} while ${doing}: ${detail}`, { cause: err });
  }
  const what = code === 403 ? 'forbidden' : code === 404 ? 'not found' : code === 409 ? 'conflict' : code === 422 ? 'rejected as invalid' : `error ${code}`;
  return new WorkbayError('driver.failed', `Kubernetes API ${what} while ${doing}: ${detail}`, { cause: err });
}

/** Runs one API call (bounded by the client's timeout, see client.ts) and translates its failure. */
export async function kube<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkbayError) throw new WorkbayError(err.code, `${err.message} while ${doing}`, { cause: err.cause });
    throw translateKube(err, doing);
  }
}

/** Like `kube`, but a 404 is `undefined` (not-found is success for reads and deletes). */
export async function kubeMaybe<T>(doing: string, call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await kube(doing, call);
  } catch (err) {
    if (isNotFound((err as WorkbayError).cause)) return undefined;
    throw err;
  }
}
