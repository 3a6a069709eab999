// The server's own listing type (never the secret), imported for its type only.
import type { TokenView } from '../lib/tokens';
import { UsageError, type Parsed } from './args';
import { table } from './format';
import type { Client } from './http';

/** POST /v1/tokens: the only response that carries the token itself. */
export interface IssuedToken {
  token: string;
  prefix: string;
  owner: string;
  role: 'admin' | 'user';
  createdAt: string;
  expiresAt?: string;
  description?: string;
}

const USAGE = 'usage: workbay token issue OWNER [--role user|admin] [--description D] [--expires-in 30d | --expires-at ISO-TIME]\n'
  + '       workbay token list\n'
  + '       workbay token revoke PREFIX';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const when = (iso: string | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');

function expiry(t: TokenView): string {
  if (!t.expiresAt) return 'never';
  return t.expired ? `expired ${when(t.expiresAt)}` : when(t.expiresAt);
}

/** `workbay token issue|list|revoke` (admin). */
export async function tokenCommand(client: Client, args: string[], flags: Parsed): Promise<string> {
  const [verb, target] = args;
  switch (verb) {
    case 'issue': {
      if (!target) throw new UsageError(USAGE);
      if (flags.role !== undefined && flags.role !== 'user' && flags.role !== 'admin') throw new UsageError(`--role must be user or admin, not "${flags.role}"`);
      const body = {
        owner: target, role: flags.role ?? 'user', description: flags.description,
        // A bare number is seconds; anything else (90m, 12h, 30d) is sent as written for the API to judge.
        expiresIn: flags.expiresIn === undefined ? undefined : /^\d+$/.test(flags.expiresIn) ? Number(flags.expiresIn) : flags.expiresIn,
        expiresAt: flags.expiresAt,
      };
      const t = await client.request<IssuedToken>('POST', '/v1/tokens', { json: body });
      if (flags.output === 'json') return json(t);
      return [
        `token for ${t.owner} (${t.role}), prefix ${t.prefix}, expires ${t.expiresAt ? when(t.expiresAt) : 'never'}.`,
        'It is shown only this once; store it now:',
        t.token,
      ].join('\n');
    }
    case 'list': {
      const { items } = await client.request<{ items: TokenView[] }>('GET', '/v1/tokens');
      if (flags.output === 'json') return json(items);
      if (!items.length) return 'no tokens';
      return table(['PREFIX', 'OWNER', 'ROLE', 'CREATED', 'LAST-USED', 'EXPIRES', 'DESCRIPTION'], items.map((t) => [
        t.prefix, t.owner, t.role, when(t.createdAt), when(t.lastUsedAt), expiry(t), t.description ?? '',
      ]));
    }
    case 'revoke': {
      if (!target) throw new UsageError(USAGE);
      await client.request('DELETE', `/v1/tokens/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json({ revoked: target }) : `token ${target} revoked`;
    }
    default:
      throw new UsageError(USAGE);
  }
}
