import { configError } from '../errors';
import type { FeatureMetadata } from './types';

/** An option name as an environment variable, as the spec says: non-word characters to `_`, upper case. */
export function optionEnvName(name: string): string {
  return name.replace(/[^\w]/g, '_').replace(/^[\d_]+/, '_').toUpperCase();
}

/**
 * The option values of one Feature as environment variables: the declared defaults, overridden by
 * what devcontainer.json (or a dependsOn) gives. A string value alone is the `version` option, a
 * boolean alone (`true`) means "install with defaults".
 *
 * @throws WorkbayError `config.invalid` for values that are neither strings nor booleans, or an
 *   unknown option.
 */
export function featureOptionsEnv(meta: FeatureMetadata, given: unknown, written: string): Record<string, string> {
  const declared = meta.options ?? {};
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(declared)) if (o && o.default !== undefined) values[name] = o.default;
  const field = `features["${written}"]`;
  if (typeof given === 'string') values.version = given;
  else if (given && typeof given === 'object' && !Array.isArray(given)) {
    for (const [name, v] of Object.entries(given as Record<string, unknown>)) {
      if (!Object.hasOwn(declared, name)) {
        throw configError(`Feature "${written}" has no option "${name}"`, [{
          field: `${field}.${name}`, message: `unknown option; ${meta.id} declares ${Object.keys(declared).join(', ') || 'no options'}`,
        }]);
      }
      if (typeof v !== 'string' && typeof v !== 'boolean' && typeof v !== 'number') {
        throw configError(`Feature "${written}": option "${name}" must be a string or a boolean`, [{ field: `${field}.${name}`, message: 'expected a string or a boolean' }]);
      }
      values[name] = v;
    }
  } else if (given !== undefined && given !== null && typeof given !== 'boolean') {
    throw configError(`Feature "${written}": options must be an object, a version string or true`, [{ field, message: 'expected an object of options' }]);
  }
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [optionEnvName(k), String(v)]));
}

/** Shell-quotes a value for an env file sourced by /bin/sh. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
