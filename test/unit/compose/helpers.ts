import { expect } from 'vitest';
import { loadComposeProject, type ComposeProject } from '../../../lib/compose';
import { isWorkbayError, type FieldError, type WorkbayError } from '../../../lib/errors';

/** A repository as path -> text; compose files named in `compose` are passed in as read, in order. */
export interface Repo {
  compose: string[];
  files: Record<string, string>;
  env?: Record<string, string>;
}

/** Loads the repo's compose files as the driver would (other files through readFile). */
export function load(repo: Repo): Promise<ComposeProject> {
  return loadComposeProject({
    files: repo.compose.map((path) => ({ path, text: repo.files[path]! })),
    readFile: async (path) => repo.files[path],
    env: repo.env ?? {},
    projectName: 'ws-01',
  });
}

/** A single-file repo at `.devcontainer/docker-compose.yml`. */
export function one(text: string, more: Record<string, string> = {}, env: Record<string, string> = {}): Promise<ComposeProject> {
  const path = '.devcontainer/docker-compose.yml';
  return load({ compose: [path], files: { [path]: text, ...more }, env });
}

/** Awaits a `config.invalid` WorkbayError. */
export async function configErrorOf(p: Promise<unknown>): Promise<WorkbayError> {
  try {
    await p;
  } catch (err) {
    expect(isWorkbayError(err, 'config.invalid'), String(err)).toBe(true);
    return err as WorkbayError;
  }
  throw new Error('expected a config.invalid error, but the project loaded');
}

/** The one field error for `field` (fails if there is none). */
export function fieldError(err: WorkbayError, field: string): FieldError {
  const found = err.errors.find((e) => e.field === field);
  expect(found, `no error for ${field} in ${JSON.stringify(err.errors)}`).toBeDefined();
  return found!;
}
