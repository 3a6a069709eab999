import { positiveInt, UsageError, type Parsed } from './args';
import { table } from './format';
import type { Client } from './http';
// The server's view types, imported for their types only (the CLI loads nothing of the server).
import type { DeliveryView, WebhookView } from '../lib/webhooks/view-schema';

/** One subscription as GET /v1/webhooks shows it (never the secret): the server's own view type. */
export type WebhookInfo = WebhookView;

/** One entry of the delivery log. */
export type DeliveryInfo = DeliveryView;

const USAGE = 'usage: workbay webhook add URL [--event TYPE ...] [--scope own|all] [--description D]\n'
  + '       workbay webhook list | delete ID | rotate-secret ID | enable ID\n'
  + '       workbay webhook deliveries ID [--limit N]\n'
  + '       workbay webhook replay ID DELIVERY-ID';

const json = (v: unknown) => JSON.stringify(v, null, 2);
const when = (iso: string | undefined) => (iso ? iso.replace(/\.\d+Z$/, 'Z') : '-');
const path = (id: string) => `/v1/webhooks/${encodeURIComponent(id)}`;

/** The last attempt of a delivery in a few words: `503 (HTTP 503)`, `ECONNREFUSED`, `200`. */
function lastAttempt(d: DeliveryInfo): string {
  const a = d.attempts.at(-1);
  if (!a) return '-';
  const code = a.statusCode === undefined ? '' : String(a.statusCode);
  return [code, a.error && a.error !== `HTTP ${a.statusCode}` ? a.error : ''].filter(Boolean).join(' ') || '-';
}

/** `workbay webhook add|list|delete|rotate-secret|enable|deliveries|replay`: outgoing-event subscriptions. */
export async function webhookCommand(client: Client, args: string[], flags: Parsed): Promise<string> {
  const [verb, target, second] = args;
  switch (verb) {
    case 'add': {
      if (!target) throw new UsageError(USAGE);
      if (flags.scope !== undefined && flags.scope !== 'own' && flags.scope !== 'all') throw new UsageError(`--scope must be own or all, not "${flags.scope}"`);
      const body = { url: target, eventTypes: flags.event.length ? flags.event : undefined, scope: flags.scope, description: flags.description };
      const w = await client.request<WebhookInfo & { secret: string }>('POST', '/v1/webhooks', { json: body });
      if (flags.output === 'json') return json(w);
      return [
        `webhook ${w.id} -> ${w.url} (${w.eventTypes.join(', ')}).`,
        'Its signing secret is shown only this once; give it to the receiver now:',
        w.secret,
      ].join('\n');
    }
    case 'list': {
      const { items } = await client.request<{ items: WebhookInfo[] }>('GET', '/v1/webhooks');
      if (flags.output === 'json') return json(items);
      if (!items.length) return 'no webhooks';
      return table(['ID', 'URL', 'OWNER', 'STATUS', 'EVENTS', 'LAST-SUCCESS', 'NOTE'], items.map((w) => [
        w.id, w.url, w.scope === 'all' ? `${w.owner} (all)` : w.owner, w.status, String(w.eventTypes.length), when(w.lastSuccessAt),
        w.disabledReason ?? (w.failingSince ? `failing since ${when(w.failingSince)}` : w.description ?? ''),
      ]));
    }
    case 'delete': {
      if (!target) throw new UsageError(USAGE);
      await client.request('DELETE', path(target));
      return flags.output === 'json' ? json({ deleted: target }) : `webhook ${target} deleted`;
    }
    case 'rotate-secret': {
      if (!target) throw new UsageError(USAGE);
      const w = await client.request<WebhookInfo & { secret: string }>('POST', `${path(target)}/rotate-secret`);
      if (flags.output === 'json') return json(w);
      return [`new signing secret for ${w.id}; the previous one keeps signing until ${when(w.previousSecretValidUntil)}:`, w.secret].join('\n');
    }
    case 'enable': {
      if (!target) throw new UsageError(USAGE);
      const w = await client.request<WebhookInfo>('POST', `${path(target)}/enable`);
      return flags.output === 'json' ? json(w) : `webhook ${w.id} ${w.status}`;
    }
    case 'deliveries': {
      if (!target) throw new UsageError(USAGE);
      const limit = positiveInt(flags.limit, '--limit') ?? 20;
      const { items } = await client.request<{ items: DeliveryInfo[] }>('GET', `${path(target)}/deliveries?limit=${Math.min(limit, 100)}`);
      if (flags.output === 'json') return json(items);
      if (!items.length) return 'no deliveries';
      return table(['DELIVERY', 'TYPE', 'STATUS', 'ATTEMPTS', 'LAST', 'NEXT-TRY', 'WEBHOOK-ID'], items.map((d) => [
        d.id, d.type, d.status, String(d.attempts.length), lastAttempt(d), when(d.nextAttemptAt), d.messageId,
      ]));
    }
    case 'replay': {
      if (!target || !second) throw new UsageError(USAGE);
      const d = await client.request<DeliveryInfo>('POST', `${path(target)}/deliveries/${encodeURIComponent(second)}/replay`);
      return flags.output === 'json' ? json(d) : `delivery ${d.id} queued again (webhook-id ${d.messageId})`;
    }
    default:
      throw new UsageError(USAGE);
  }
}
