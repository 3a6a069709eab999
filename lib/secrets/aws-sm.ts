import { WorkbayError } from '../errors';
import type { SchemeResolver } from './references';

/** The one Secrets Manager call the resolver makes (GetSecretValue), so tests can pass a fake. */
export type GetSecretValue = (input: { SecretId: string }) => Promise<{ SecretString?: string; SecretBinary?: Uint8Array }>;

/** How `aws-sm:` references are resolved. */
export interface SecretsManagerOptions {
  /** Only secrets whose name starts with this may be referenced (the IAM grant covers the same prefix). */
  prefix: string;
  getSecretValue: GetSecretValue;
  /** How long a fetched value is reused; default 5 minutes, so a rotation is picked up soon. */
  ttlMs?: number;
  now?: () => number;
}

/** Secrets Manager's own grammar for names; ARNs are refused so that the prefix rule cannot be sidestepped. */
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const DEFAULT_TTL_MS = 5 * 60_000;
/** Failures that will not go away by retrying: the reference or the grant is wrong. */
const PERMANENT = new Set(['ResourceNotFoundException', 'AccessDeniedException', 'DecryptionFailure', 'InvalidRequestException', 'InvalidParameterException', 'ValidationException']);

const invalid = (field: string, message: string, detail: string) =>
  new WorkbayError('config.invalid', message, { errors: [{ field, message: detail }] });

/**
 * Resolves `aws-sm:<name>` (the secret's string) and `aws-sm:<name>#<key>` (one key of a JSON secret)
 * through Secrets Manager at use, with a short in-memory cache. Errors name the field and the secret,
 * never the value; nothing is logged.
 */
export function secretsManagerSecret(o: SecretsManagerOptions): SchemeResolver {
  const ttl = o.ttlMs ?? DEFAULT_TTL_MS;
  const now = o.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<string> }>();

  const fetchValue = (name: string, field: string): Promise<string> => {
    const hit = cache.get(name);
    if (hit && now() - hit.at < ttl) return hit.value;
    const value = o.getSecretValue({ SecretId: name }).then(
      (out) => {
        if (out.SecretString !== undefined) return out.SecretString;
        if (out.SecretBinary !== undefined) return Buffer.from(out.SecretBinary).toString('utf8');
        throw invalid(field, `secret for ${field} has no value in Secrets Manager`, `${name} has no current version`);
      },
      (err: unknown) => { throw fetchError(err, name, field); },
    );
    cache.set(name, { at: now(), value });
    value.catch(() => { if (cache.get(name)?.value === value) cache.delete(name); });
    return value;
  };

  return async (rest, field) => {
    const hash = rest.indexOf('#');
    const name = hash < 0 ? rest : rest.slice(0, hash);
    const key = hash < 0 ? undefined : rest.slice(hash + 1);
    if (!NAME.test(name)) {
      throw invalid(field, `secret for ${field} is not a Secrets Manager name`, 'use aws-sm:<name> or aws-sm:<name>#<json key>, with the secret\'s name (not its ARN)');
    }
    if (!name.startsWith(o.prefix) || name.length === o.prefix.length) {
      throw invalid(field, `secret for ${field} is outside the control plane's secret prefix`, `only secrets named ${o.prefix}<name> may be referenced`);
    }
    const value = await fetchValue(name, field);
    return key === undefined ? value : jsonKey(value, key, name, field);
  };
}

/** One string key of a JSON secret; the parser's message is dropped because it quotes the text. */
function jsonKey(value: string, key: string, name: string, field: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch {
    throw invalid(field, `secret for ${field} is not a JSON object`, `${name} must hold a JSON object to use #${key}`);
  }
  const v = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)[key] : undefined;
  if (typeof v !== 'string') throw invalid(field, `secret for ${field} has no string key "${key}"`, `${name} has no string value under "${key}"`);
  return v;
}

/** Permanent failures are the admin's to fix (config.invalid); others are worth a retry later. */
function fetchError(err: unknown, name: string, field: string): WorkbayError {
  const kind = (err as { name?: string })?.name ?? 'Error';
  if (kind === 'ResourceNotFoundException') {
    return invalid(field, `secret for ${field} does not exist in Secrets Manager`, `${name} was not found`);
  }
  if (PERMANENT.has(kind)) {
    return invalid(field, `secret for ${field} cannot be read from Secrets Manager (${kind})`, `check that ${name} exists, is enabled and is readable by the control plane's role`);
  }
  return new WorkbayError('driver.unreachable', `Secrets Manager is unreachable (${kind}) while reading the secret for ${field}`, { cause: err });
}

/**
 * GetSecretValue through the AWS SDK, loaded on first use: the API's first request never pays for a
 * client it may not need, and esbuild keeps the SDK package out of the entry chunk.
 */
export function secretsManagerClient(region: string): GetSecretValue {
  let client: Promise<GetSecretValue> | undefined;
  return async (input) => {
    client ??= import('@aws-sdk/client-secrets-manager').then(({ SecretsManagerClient, GetSecretValueCommand }) => {
      const sm = new SecretsManagerClient({ region, maxAttempts: 3 });
      return (i: { SecretId: string }) => sm.send(new GetSecretValueCommand(i));
    });
    client.catch(() => { client = undefined; });
    return (await client)(input);
  };
}
