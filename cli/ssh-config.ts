import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError, type Parsed } from './args';
import type { Client } from './http';
import { listAll, resolveId, shellQuote, wsPath, type Connection, type WorkspaceView } from './workspace-api';

/** The key pair OpenSSH uses for workbay hosts (`WORKBAY_SSH_DIR`, default ~/.workbay/ssh). */
export function sshKeyPaths(): { dir: string; privateKey: string; publicKey: string } {
  const dir = process.env.WORKBAY_SSH_DIR || join(homedir(), '.workbay', 'ssh');
  return { dir, privateKey: join(dir, 'id_ed25519'), publicKey: join(dir, 'id_ed25519.pub') };
}

/** Makes the key pair once, with the user's own ssh-keygen (it ships with the OpenSSH client). */
function ensureKey(): string {
  const k = sshKeyPaths();
  if (existsSync(k.privateKey) && existsSync(k.publicKey)) return k.privateKey;
  mkdirSync(k.dir, { recursive: true, mode: 0o700 });
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'workbay', '-f', k.privateKey], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`cannot make an SSH key with ssh-keygen: ${r.error?.message ?? r.stderr.trim()}`);
  return k.privateKey;
}

/** ssh_config expands `%` tokens in ProxyCommand; a literal one is `%%`. */
const sshToken = (word: string) => shellQuote(word).replace(/%/g, '%%');

/**
 * `workbay ssh-config [<ws>]`: prints `Host workbay-<name>` blocks for ~/.ssh/config whose
 * ProxyCommand is `workbay ssh --stdio`, so OpenSSH, VS Code Remote-SSH and JetBrains Gateway reach
 * the workspace through the control plane. Host keys are per session, so they are not recorded: the
 * stream itself is authenticated (token) and owner-checked.
 */
export async function sshConfigCommand(client: Client, args: string[], _flags: Parsed): Promise<number> {
  const [ref, extra] = args;
  if (extra !== undefined) throw new UsageError('usage: workbay ssh-config [<workspace>]');
  const identity = ensureKey();
  const all: WorkspaceView[] = ref ? [await client.request<WorkspaceView>('GET', wsPath(await resolveId(client, ref)))] : (await listAll(client)).items;
  const cli = [process.execPath, ...process.execArgv.filter((a) => !a.startsWith('--inspect')), process.argv[1] ?? 'workbay'];
  const blocks: string[] = [];
  for (const ws of all) {
    const conn = await client.request<Connection>('GET', wsPath(ws.id, '/connection')).catch(() => undefined);
    blocks.push([
      `Host workbay-${ws.name}`,
      `  HostName workbay-${ws.name}`,
      `  User ${conn?.user && /^[\w.-]+$/.test(conn.user) ? conn.user : 'root'}`,
      `  ProxyCommand env WORKBAY_URL=${sshToken(client.baseUrl)} ${cli.map(sshToken).join(' ')} ssh --stdio ${ws.id}`,
      `  IdentityFile ${/[\s"]/.test(identity) ? `"${identity.replace(/%/g, '%%')}"` : identity.replace(/%/g, '%%')}`,
      '  IdentitiesOnly yes',
      '  StrictHostKeyChecking no',
      '  UserKnownHostsFile /dev/null',
      '  LogLevel ERROR',
    ].join('\n'));
  }
  process.stdout.write(blocks.length ? `${blocks.join('\n\n')}\n` : '# no workspaces\n');
  return 0;
}
