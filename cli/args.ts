import { parseArgs } from 'node:util';

export type Output = 'human' | 'json';

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {}

/** Parsed command line of `workbay`. */
export interface Parsed {
  positionals: string[];
  name?: string;
  option: string[];
  output: Output;
  help: boolean;
}

/** Parses flags shared by every subcommand. */
export function parse(argv: string[]): Parsed {
  let v;
  try {
    v = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: {
        name: { type: 'string' },
        option: { type: 'string', short: 'o', multiple: true },
        output: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const output = v.values.json ? 'json' : (v.values.output ?? 'human');
  if (output !== 'human' && output !== 'json') throw new UsageError(`--output must be human or json, not "${output}"`);
  return { positionals: v.positionals, name: v.values.name, option: v.values.option ?? [], output, help: v.values.help ?? false };
}
