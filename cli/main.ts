import { parse, UsageError } from './args';
import { problemText } from './format';
import { ApiError, Client } from './http';
import { providerCommand } from './provider';
import { tokenCommand } from './token';
import { webhookCommand } from './webhook';
import { integrationCommand } from './integration';
import { keepCommand, listCommand, logsCommand, statusCommand, transitionCommand } from './workspace-commands';
import { execCommand } from './workspace-shell';
import { sshCommand } from './ssh';
import { sshConfigCommand } from './ssh-config';
import { portForwardCommand } from './port-forward';
import { upCommand } from './workspace-up';
import { configsCommand } from './configs';
import { uploadsCommand } from './uploads';

const HELP = `workbay — developer workspaces from a shared control plane

usage:
  workbay up <image | git-url[#ref] | ./folder [--git]> --provider P [--name N] [--devcontainer ./devcontainer.json] [--config PATH]
             [-o KEY=VALUE ...] [--env K=V ...] [--inactivity-timeout 30m] [--retention 7d]
             [--max-lifetime 12h] [--idempotency-key K] [--no-wait]
  workbay configs <git-url[#ref]> --provider P   the repository's devcontainer.json files (for up --config)
  workbay uploads list | limits | delete ID   your uploads no workspace uses (they count against the limits)
  workbay list [--status S] [--all-pages]
  workbay status <ws>
  workbay keep <ws> | unkeep <ws>      exempt from retention (admins; owners where the provider allows)
  workbay stop <ws> | start <ws> | delete <ws>
  workbay exec <ws> [--user U] [--timeout SECONDS] [--autostart] -- COMMAND [ARG...]
  workbay ssh <ws> [-t] [-- COMMAND [ARG...]]   a shell (or command) through the control plane
  workbay ssh --stdio <ws>                      OpenSSH ProxyCommand (sshd in the workspace)
  workbay ssh --direct <ws>                     operators: the provider's docker/kubectl (engine access)
  workbay ssh-config [<ws>]                     Host workbay-<name> blocks for ~/.ssh/config
  workbay port-forward <ws> LOCAL:REMOTE [...]  forward 127.0.0.1:LOCAL to the workspace's port REMOTE
  workbay logs <ws> [--tail N]
  workbay provider add ./provider.yaml [--name N] [-o KEY=VALUE ...]
  workbay provider list | show NAME | delete NAME
  workbay provider set-options NAME -o KEY=VALUE [...]
  workbay token issue OWNER [--role user|admin] [--description D] [--expires-in 30d | --expires-at ISO-TIME]
  workbay token list | revoke PREFIX
  workbay webhook add URL [--event TYPE ...] [--scope own|all] [--description D]
  workbay webhook list | delete ID | rotate-secret ID | enable ID
  workbay webhook deliveries ID [--limit N] | replay ID DELIVERY-ID
  workbay integration add ./github.yaml | list | show NAME | delete NAME   (admin; see docs/integrations.md)

  <ws> is a workspace name or id. A source is a git repository when it looks like one
  (git://, ssh://, http(s)://, git@host:path, or ends in .git), a folder when it is a path
  (./x, ../x, /x: uploaded without .git and what .gitignore excludes; --git: its pushed remote), else an image.
  exec runs argv without a shell and exits with the command's code; for $VARS or pipes
  use: workbay exec ws -- sh -c 'echo $HOME'

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
    case 'integration':
      process.stdout.write(`${await integrationCommand(client, process.env.WORKBAY_URL || 'http://127.0.0.1:8080', rest, args)}\n`);
      return 0;
    case 'token':
      process.stdout.write(`${await tokenCommand(client, rest, args)}\n`);
      return 0;
    case 'webhook':
      process.stdout.write(`${await webhookCommand(client, rest, args)}\n`);
      return 0;
    case 'up': return upCommand(client, rest, args);
    case 'configs':
      process.stdout.write(`${await configsCommand(client, rest, args)}\n`);
      return 0;
    case 'uploads':
      process.stdout.write(`${await uploadsCommand(client, rest, args)}\n`);
      return 0;
    case 'list': return listCommand(client, args);
    case 'status': return statusCommand(client, rest, args);
    case 'keep': return keepCommand(client, true, rest, args);
    case 'unkeep': return keepCommand(client, false, rest, args);
    case 'stop':
    case 'start':
    case 'delete':
      return transitionCommand(client, group, rest, args);
    case 'exec': return execCommand(client, rest, args);
    case 'ssh': return sshCommand(client, { baseUrl: client.baseUrl, token: process.env.WORKBAY_TOKEN || undefined }, rest, args);
    case 'ssh-config': return sshConfigCommand(client, rest, args);
    case 'port-forward': return portForwardCommand(client, { baseUrl: client.baseUrl, token: process.env.WORKBAY_TOKEN || undefined }, rest, args);
    case 'logs': return logsCommand(client, rest, args);
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
