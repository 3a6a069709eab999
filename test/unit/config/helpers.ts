import { expect } from 'vitest';
import { isWorkbayError, type FieldError, type WorkbayError } from '../../../lib/errors';

/** Runs `fn`, expects a `config.invalid` WorkbayError, and returns it. */
export function configErrorOf(fn: () => unknown): WorkbayError {
  try {
    fn();
  } catch (err) {
    expect(isWorkbayError(err, 'config.invalid'), String(err)).toBe(true);
    return err as WorkbayError;
  }
  throw new Error('expected a config.invalid error, but nothing was thrown');
}

/** The one field error for `field` in a config error (fails if there is none). */
export function fieldError(err: WorkbayError, field: string): FieldError {
  const found = err.errors.find((e) => e.field === field);
  expect(found, `no error for ${field} in ${JSON.stringify(err.errors)}`).toBeDefined();
  return found!;
}
