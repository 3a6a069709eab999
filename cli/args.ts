import { parseArgs } from 'node:util';

export type Output = 'human' | 'json';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {}

/** Parsed command line of `workbay`. */
export interface Parsed {
  /** Positionals before a `--`. */
  positionals: string[];
  /** Everything after the first `--`, verbatim; undefined when there was none. */
  rest?: string[];
  name?: string;
  option: string[];
  output: Output;
  help: boolean;
  provider?: string;
  devcontainer?: string;
  /** `up --config .devcontainer/x/devcontainer.json`: where devcontainer.json is in the source. */
  config?: string;
  env: string[];
  inactivityTimeout?: string;
  /** `up --retention 7d` / `--max-lifetime 12h` (within the provider's maxima). */
  retention?: string;
  maxLifetime?: string;
  idempotencyKey?: string;
  noWait: boolean;
  status?: string;
  allPages: boolean;
  user?: string;
  timeout?: string;
  autostart: boolean;
  tail?: string;
  role?: string;
  description?: string;
  expiresIn?: string;
  expiresAt?: string;
  /** `webhook add --event T` (repeatable). */
  event: string[];
  scope?: string;
  limit?: string;
  /** ssh: the provider's engine CLI (operators) instead of the attach stream. */
  direct: boolean;
  /** ssh: act as an OpenSSH ProxyCommand. */
  stdio: boolean;
  /** ssh: a TTY for a command too. */
  tty: boolean;
  /** up ./folder: use the folder's git remote (a clean, pushed clone) instead of uploading it. */
  git: boolean;
}

/**
 * Every flag of every subcommand. One table keeps `workbay --json list` and `workbay list --json`
 * equivalent; a subcommand ignores the flags it has no use for.
 */
const OPTIONS = {
  name: { type: 'string' },
  option: { type: 'string', short: 'o', multiple: true },
  output: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  provider: { type: 'string' },
  devcontainer: { type: 'string' },
  config: { type: 'string' },
  env: { type: 'string', multiple: true },
  'inactivity-timeout': { type: 'string' },
  retention: { type: 'string' },
  'max-lifetime': { type: 'string' },
  'idempotency-key': { type: 'string' },
  'no-wait': { type: 'boolean' },
  status: { type: 'string' },
  'all-pages': { type: 'boolean' },
  user: { type: 'string' },
  timeout: { type: 'string' },
  autostart: { type: 'boolean' },
  tail: { type: 'string' },
  role: { type: 'string' },
  description: { type: 'string' },
  'expires-in': { type: 'string' },
  'expires-at': { type: 'string' },
  event: { type: 'string', multiple: true },
  scope: { type: 'string' },
  limit: { type: 'string' },
  direct: { type: 'boolean' },
  stdio: { type: 'boolean' },
  tty: { type: 'boolean', short: 't' },
  git: { type: 'boolean' },
} as const;

/** Parses the flags of every subcommand; what follows `--` is kept apart for `exec`. */
export function parse(argv: string[]): Parsed {
  let v;
  try {
    v = parseArgs({ args: argv, allowPositionals: true, strict: true, tokens: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const output = v.values.json ? 'json' : (v.values.output ?? 'human');
  if (output !== 'human' && output !== 'json') throw new UsageError(`--output must be human or json, not "${output}"`);
  const terminator = v.tokens.find((t) => t.kind === 'option-terminator');
  const rest = terminator ? argv.slice(terminator.index + 1) : undefined;
  const x = v.values;
  return {
    positionals: rest ? v.positionals.slice(0, v.positionals.length - rest.length) : v.positionals,
    rest,
    name: x.name, option: x.option ?? [], output, help: x.help ?? false,
    provider: x.provider, devcontainer: x.devcontainer, config: x.config, env: x.env ?? [],
    inactivityTimeout: x['inactivity-timeout'], retention: x.retention, maxLifetime: x['max-lifetime'], idempotencyKey: x['idempotency-key'], noWait: x['no-wait'] ?? false,
    status: x.status, allPages: x['all-pages'] ?? false,
    user: x.user, timeout: x.timeout, autostart: x.autostart ?? false, tail: x.tail,
    role: x.role, description: x.description, expiresIn: x['expires-in'], expiresAt: x['expires-at'],
    event: x.event ?? [], scope: x.scope, limit: x.limit,
    direct: x.direct ?? false, stdio: x.stdio ?? false, tty: x.tty ?? false, git: x.git ?? false,
  };
}

/** Parses repeated `KEY=VALUE` flags; `what` names the flag in the error. */
export function parseKeyValues(flags: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of flags) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what} "${f}" is not KEY=VALUE`);
    out[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return out;
}

/** A whole positive number from a flag, or a usage error naming the flag. */
export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} must be a whole number of at least 1, not "${value}"`);
  return Number(value);
}
