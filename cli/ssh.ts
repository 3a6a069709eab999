import { readFileSync } from 'node:fs';
import { UsageError, type Parsed } from './args';
import { openAttach, writeTo, type AttachStream, type StreamTarget } from './attach-stream';
import type { Client } from './http';
import { sshKeyPaths } from './ssh-config';
import { resolveId } from './workspace-api';
import { sshCommand as directSsh } from './workspace-shell';

const USAGE = 'usage: workbay ssh <workspace> [-t] [-- COMMAND [ARG...]]\n'
  + '       workbay ssh --stdio <workspace>     (an OpenSSH ProxyCommand; see `workbay ssh-config`)\n'
  + '       workbay ssh --direct <workspace>    (operators: the provider\'s docker/kubectl with engine credentials)';

/** An exit status outside 0-255 would wrap around (256 reads as success). */
const exitStatus = (code: number) => (code >= 0 && code <= 255 ? code : 1);

/**
 * `workbay ssh <ws> [-- cmd]`: an interactive session through the control plane's attach stream, so
 * the user's machine needs no Docker or Kubernetes credentials. Without a command it opens the remote
 * user's login shell with a TTY (when stdin is one); with a command it runs argv, with `-t` in a TTY.
 * The remote exit code becomes ours.
 */
export async function sshCommand(client: Client, target: StreamTarget, args: string[], flags: Parsed): Promise<number> {
  if (flags.direct) return directSsh(client, args, flags);
  const [ref, ...extra] = args;
  const command = flags.rest ?? (extra.length ? extra : undefined);
  if (!ref || (flags.rest && extra.length) || (flags.stdio && command)) throw new UsageError(USAGE);
  const id = await resolveId(client, ref);
  if (flags.stdio) return stdioProxy(target, id);
  const stdin = process.stdin;
  const tty = Boolean(stdin.isTTY) && (flags.tty || !command);
  const size = () => ({ cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
  const stream = await openAttach(target, id, { type: 'start', mode: 'shell', tty, ...(tty ? size() : {}), ...(command ? { command } : {}) }, {
    stdout: writeTo(process.stdout),
    stderr: writeTo(process.stderr),
  });
  const onResize = () => stream.resize(size().cols, size().rows);
  if (tty) {
    stdin.setRawMode(true);
    process.stdout.on('resize', onResize);
  }
  pump(stdin, stream);
  try {
    return exitStatus(await stream.exit);
  } finally {
    if (tty) {
      stdin.setRawMode(false);
      process.stdout.off('resize', onResize);
    }
    stdin.pause();
    stdin.destroy();
  }
}

/** Sends our stdin to the remote process, with end of file. */
function pump(stdin: NodeJS.ReadStream, stream: AttachStream): void {
  stdin.on('data', (d: Buffer) => stream.write(d));
  stdin.once('end', () => stream.eof());
  stdin.on('error', () => stream.eof());
  stdin.resume();
}

/**
 * `workbay ssh --stdio <ws>`: OpenSSH's ProxyCommand. Runs a per-session `sshd -i` in the workspace
 * over the attach stream and joins it to our stdin/stdout; the key `workbay ssh-config` made is the
 * one sshd will accept.
 */
async function stdioProxy(target: StreamTarget, id: string): Promise<number> {
  const { publicKey } = sshKeyPaths();
  let key: string;
  try {
    key = readFileSync(publicKey, 'utf8').trim();
  } catch {
    throw new Error(`no workbay SSH key at ${publicKey}; run \`workbay ssh-config\` first`);
  }
  const stream = await openAttach(target, id, { type: 'start', mode: 'sshd', publicKey: key }, {
    stdout: writeTo(process.stdout),
    stderr: writeTo(process.stderr),
  });
  pump(process.stdin, stream);
  try {
    return exitStatus(await stream.exit);
  } finally {
    process.stdin.pause();
    process.stdin.destroy();
  }
}
