import { parse, UsageError } from './args';
import { problemText } from './format';
import { ApiError, Client } from './http';
import { providerCommand } from './provider';

const HELP = `workbay — developer workspaces from a shared control plane

usage:
  workbay provider add ./provider.yaml [--name N] [-o KEY=VALUE ...]
  workbay provider list | show NAME | delete NAME
  workbay provider set-options NAME -o KEY=VALUE [...]

flags:  --output human|json (or --json)
env:    WORKBAY_URL (default http://127.0.0.1:8080), WORKBAY_TOKEN`;

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  const [group, ...rest] = args.positionals;
  if (args.help || !group) {
    process.stdout.write(`${HELP}\n`);
    return args.help ? 0 : 2;
  }
  const client = new Client(process.env.WORKBAY_URL || 'http://127.0.0.1:8080', process.env.WORKBAY_TOKEN || undefined);
  switch (group) {
    case 'provider':
      process.stdout.write(`${await providerCommand(client, rest, args)}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command "${group}"\n\n${HELP}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof ApiError) {
    process.stderr.write(`${problemText(err)}\n`);
    process.exitCode = 1;
  } else if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
