import { readFile } from 'node:fs/promises';
import { WorkbayError } from '../errors';

/** Where secret references may point. `aws-sm:` is resolved by the AWS entry points (Secrets Manager). */
export type SecretResolver = (ref: string, field: string) => Promise<string>;

const SCHEMES = ['file:', 'env:'] as const;

/** True when a value is a secret reference rather than a literal. */
export function isSecretRef(value: string): boolean {
  return /^(file|env|aws-sm):/.test(value);
}

/**
 * Resolves `file:/path` and `env:NAME` references. The environment is passed in (read once at process
 * start), never read here. Errors name the field and the scheme, never the content.
 */
export function localSecrets(env: Record<string, string | undefined>): SecretResolver {
  return async (ref, field) => {
    if (ref.startsWith('file:')) {
      const path = ref.slice('file:'.length);
      try {
        return await readFile(path, 'utf8');
      } catch (err) {
        throw new WorkbayError('config.invalid', `secret for ${field} could not be read from its file reference`, {
          errors: [{ field, message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` }],
        });
      }
    }
    if (ref.startsWith('env:')) {
      const v = env[ref.slice('env:'.length)];
      if (v === undefined) {
        throw new WorkbayError('config.invalid', `secret for ${field} is not set`, { errors: [{ field, message: `environment variable ${ref.slice(4)} is not set on the control plane` }] });
      }
      return v;
    }
    throw new WorkbayError('config.invalid', `secret for ${field} must be a reference`, {
      errors: [{ field, message: `use one of ${SCHEMES.join(', ')} (or aws-sm: on AWS); literal secrets are not accepted` }],
    });
  };
}
