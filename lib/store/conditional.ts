import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unavailable } from './client';
import { WorkbayError } from '../errors';

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException
    || (err as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';
}

/**
 * Runs one store call. A failed condition becomes `onConflict()` (a typed WorkbayError or a value);
 * any other failure is `store.unavailable`, so callers never see SDK errors.
 */
export async function guarded<T>(call: () => Promise<T>, onConflict?: () => T | WorkbayError): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkbayError) throw err;
    if (onConflict && isConditionFailure(err)) {
      const out = onConflict();
      if (out instanceof WorkbayError) throw out;
      return out;
    }
    throw unavailable(err);
  }
}

/** Strips the table's key and index attributes from a stored item. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, kind: _k, expiresAt: _e, ...rest } = item;
  return rest as T;
}
