import { readFile } from 'node:fs/promises';
import { WorkbayError } from '../errors';

/** Resolves a secret reference to its value; `field` names the provider field for error messages. */
export type SecretResolver = (ref: string, field: string) => Promise<string>;

/** Resolves the part of a reference after its scheme (`/path` of `file:/path`). */
export type SchemeResolver = (rest: string, field: string) => Promise<string>;

/** The schemes a secret reference may use. */
export const SECRET_SCHEMES = ['file', 'env', 'aws-sm'] as const;
export type SecretScheme = (typeof SECRET_SCHEMES)[number];

/** True when a value is a secret reference rather than a literal. */
export function isSecretRef(value: string): boolean {
  return /^(file|env|aws-sm):/.test(value);
}

/**
 * One resolver from per-scheme resolvers. A scheme that is left out is refused with `refused[scheme]`
 * (why this mode does not take it); a literal is refused with the list of schemes this mode accepts.
 */
export function composeSecrets(
  schemes: Partial<Record<SecretScheme, SchemeResolver>>,
  refused: Partial<Record<SecretScheme, string>> = {},
): SecretResolver {
  const accepted = SECRET_SCHEMES.filter((s) => schemes[s]).map((s) => `${s}:`);
  return async (ref, field) => {
    const scheme = SECRET_SCHEMES.find((s) => ref.startsWith(`${s}:`));
    if (!scheme) {
      throw new WorkbayError('config.invalid', `secret for ${field} must be a reference`, {
        errors: [{ field, message: `use one of ${accepted.join(', ')}; literal secrets are not accepted` }],
      });
    }
    const resolve = schemes[scheme];
    if (!resolve) {
      throw new WorkbayError('config.invalid', `secret for ${field} uses ${scheme}:, which this control plane does not resolve`, {
        errors: [{ field, message: refused[scheme] ?? `use one of ${accepted.join(', ')}` }],
      });
    }
    return resolve(ref.slice(scheme.length + 1), field);
  };
}

/** A path is shown in errors only when it looks like one: text pasted where a path belongs may be the secret. */
const SHOWABLE_PATH = /^[^\n\r{}]{1,512}$/;

/** `file:/path`: the file's content, read at use. Errors name the field and the errno, never content. */
export const fileSecret: SchemeResolver = async (path, field) => {
  if (!SHOWABLE_PATH.test(path)) {
    throw new WorkbayError('config.invalid', `secret for ${field} is not a file reference`, {
      errors: [{ field, message: 'file: takes a path; the value written there is not one (not shown)' }],
    });
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new WorkbayError('config.invalid', `secret for ${field} could not be read from its file reference`, {
      errors: [{ field, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }],
    });
  }
};

/**
 * `env:NAME`: a variable of the environment the process was started with. The environment is passed
 * in (read once at process start), never read here.
 */
export function envSecret(env: Record<string, string | undefined>): SchemeResolver {
  return async (name, field) => {
    const v = env[name];
    if (v === undefined) {
      throw new WorkbayError('config.invalid', `secret for ${field} is not set`, {
        errors: [{ field, message: `environment variable ${name} is not set on the control plane` }],
      });
    }
    return v;
  };
}
