import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { positiveInt, UsageError, type Parsed } from './args';
import type { Client } from './http';
import { resolveId, wsPath, type Connection, type ExecResult, type WorkspaceView } from './workspace-api';

const EXEC_USAGE = 'usage: workbay exec <workspace> [--user U] [--timeout SECONDS] [--autostart] -- COMMAND [ARG...]\n'
  + '  the command runs as argv, without a shell: for $VARS, pipes or ;, use -- sh -c \'echo $HOME\'';
/** How often `ssh` tells the control plane the workspace is in use, so the sweeper leaves it running. */
const HEARTBEAT_MS = 60_000;

/**
 * `workbay exec <ws> -- cmd args...`: runs argv in the workspace (no shell), writes its output to
 * ours and exits with its exit code, in --json mode too.
 */
export async function execCommand(client: Client, args: string[], flags: Parsed): Promise<number> {
  const [ref, ...extra] = args;
  // Without `--`, plain words after the workspace are the command (`workbay exec ws ls`).
  const argv = flags.rest ?? extra;
  if (!ref || !argv.length || (flags.rest && extra.length)) throw new UsageError(EXEC_USAGE);
  const timeoutSeconds = positiveInt(flags.timeout, '--timeout');
  const id = await resolveId(client, ref);
  const body = { command: argv, ...(flags.user ? { user: flags.user } : {}), ...(timeoutSeconds ? { timeoutSeconds } : {}) };
  const r = await client.request<ExecResult>('POST', wsPath(id, `/exec${flags.autostart ? '?autostart=true' : ''}`), { json: body });
  if (flags.output === 'json') {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  } else {
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    if (r.timedOut) process.stderr.write(`workbay: the command timed out after ${timeoutSeconds ?? '?'} s\n`);
  }
  // An exit status outside 0-255 would wrap around (256 reads as success).
  return r.exitCode >= 0 && r.exitCode <= 255 ? r.exitCode : 1;
}

/** Exit status of a child the way a shell reports it: its code, or 128 + the signal number. */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

/**
 * `workbay ssh --direct <ws>`: runs the provider's attach command (`docker exec -it ...` from its
 * `path`) with the terminal handed over, and sends heartbeats while it runs. This is engine access
 * for operators: it needs the provider's DOCKER_HOST or kubeconfig on this machine.
 */
export async function sshCommand(client: Client, args: string[], _flags: Parsed): Promise<number> {
  const [ref, extra] = args;
  if (!ref || extra !== undefined) throw new UsageError('usage: workbay ssh --direct <workspace>');
  const id = await resolveId(client, ref);
  const ws = await client.request<WorkspaceView>('GET', wsPath(id));
  if (ws.status !== 'Running') throw new Error(`workspace ${ws.name} is ${ws.status}; run \`workbay start ${ws.name}\` first`);
  const conn = await client.request<Connection>('GET', wsPath(id, '/connection'));
  const [cmd, ...cmdArgs] = conn.attach;
  if (!cmd) throw new Error(`the provider of ${ws.name} gave no attach command`);
  const beat = () => client.request('POST', wsPath(id, '/activity')).catch(() => undefined);
  void beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  // Ctrl-C belongs to the remote shell; the child gets it from the terminal, we must outlive it.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, ...conn.env } });
      child.once('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
      child.once('exit', (code, signal) => resolve(exitStatus(code, signal)));
    });
  } finally {
    clearInterval(timer);
    process.off('SIGINT', ignore);
  }
}
