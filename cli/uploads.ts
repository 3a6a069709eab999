// The server's own types, imported for their shape only; formatBytes is the same wording the server's errors use.
import type { UploadInfo } from '../lib/uploads/types';
import { formatBytes } from '../lib/uploads/types';
import { UsageError, type Parsed } from './args';
import { table } from './format';
import type { Client } from './http';

/** GET /v1/uploads/limits, as the server answers it. */
interface UploadLimits {
  maxBytes: number;
  expiresAfterSeconds: number;
  unused: { maxCount: number; maxBytes: number };
}

type UploadView = Omit<UploadInfo, 'owner'>;

const USAGE = 'usage: workbay uploads list | limits | delete ID';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const when = (iso: string | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');
const limit = (n: number, f: (n: number) => string) => (n > 0 ? f(n) : 'no limit');

/**
 * `workbay uploads list|limits|delete`: the caller's uploads no workspace uses yet, which count
 * against the per-owner limits (`workbay up ./folder` answers 429 when they are full).
 */
export async function uploadsCommand(client: Client, args: string[], flags: Parsed): Promise<string> {
  const [verb, target, extra] = args;
  if (extra !== undefined) throw new UsageError(USAGE);
  switch (verb) {
    case 'list': {
      if (target !== undefined) throw new UsageError(USAGE);
      const { items } = await client.request<{ items: UploadView[] }>('GET', '/v1/uploads');
      if (flags.output === 'json') return json(items);
      if (!items.length) return 'no unused uploads';
      const total = items.reduce((n, u) => n + u.size, 0);
      return [
        table(['ID', 'SIZE', 'ENTRIES', 'CREATED', 'EXPIRES'], items.map((u) => [u.id, formatBytes(u.size), String(u.entries), when(u.createdAt), when(u.expiresAt)])),
        `${items.length} unused, ${formatBytes(total)}; free room with: workbay uploads delete ID`,
      ].join('\n');
    }
    case 'limits': {
      if (target !== undefined) throw new UsageError(USAGE);
      const l = await client.request<UploadLimits>('GET', '/v1/uploads/limits');
      if (flags.output === 'json') return json(l);
      return [
        `largest upload:         ${formatBytes(l.maxBytes)}`,
        `unused uploads at once: ${limit(l.unused.maxCount, String)}, ${limit(l.unused.maxBytes, formatBytes)} in all`,
        `unused uploads expire:  after ${l.expiresAfterSeconds} s`,
      ].join('\n');
    }
    case 'delete': {
      if (!target) throw new UsageError(USAGE);
      await client.request('DELETE', `/v1/uploads/${encodeURIComponent(target)}`);
      return flags.output === 'json' ? json({ deleted: target }) : `upload ${target} deleted`;
    }
    default:
      throw new UsageError(USAGE);
  }
}
