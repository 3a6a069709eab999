/** Key builders for the single table (DESIGN §6). Pure functions, no I/O. */
export const keys = {
  workspace: (id: string) => ({ pk: `WS#${id}`, sk: 'META' }),
  event: (wsId: string, eventId: string) => ({ pk: `WS#${wsId}`, sk: `EV#${eventId}` }),
  provider: (name: string) => ({ pk: `PROVIDER#${name}`, sk: 'META' }),
  /** Marks that a workspace uses a provider; lives in the provider's partition so "in use" is one Query. */
  providerUse: (name: string, wsId: string) => ({ pk: `PROVIDER#${name}`, sk: `WS#${wsId}` }),
  token: (hash: string) => ({ pk: `TOKEN#${hash}`, sk: 'META' }),
  idempotency: (owner: string, key: string) => ({ pk: `IDEMP#${owner}#${key}`, sk: 'META' }),
  nameClaim: (owner: string, name: string) => ({ pk: `NAME#${owner}#${name}`, sk: 'META' }),
  setting: (name: string) => ({ pk: `SETTING#${name}`, sk: 'META' }),
  /** The workspaces of one owner on one provider that hold quota (see QuotaRepo). */
  quota: (provider: string, owner: string) => ({ pk: `QUOTA#${provider}#${owner}`, sk: 'META' }),
  /** An outgoing-events subscription; its deliveries live in the same partition. */
  webhook: (id: string) => ({ pk: `WEBHOOK#${id}`, sk: 'META' }),
  /** One event's delivery to one subscription: keyed by both, so a repeated fan-out writes nothing new. */
  delivery: (webhookId: string, eventId: string) => ({ pk: `WEBHOOK#${webhookId}`, sk: `DLV#${eventId}` }),
  /** An outgoing event not yet fanned out to subscriptions (written before its audit event). */
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'META' }),
} as const;

/** GSI2 partition for listing providers. */
export const PROVIDERS_LIST = 'PROVIDERS';
/** GSI2 partition for listing an owner's workspaces, as written before sharding (read, no longer written). */
export const ownerList = (owner: string) => `OWNER#${owner}`;
/** GSI2 partition of one shard of an owner's workspaces; a prefix the unsharded key can never take. */
export const ownerShard = (owner: string, shard: number) => `OWNERS#${shard}#${owner}`;
/**
 * The workspace shards of GSI1 below are base names: items carry `<base>#<n>` (n from a hash of the
 * workspace id, lib/store/shards.ts); readers also query the bare base, where items written before
 * sharding stay until their next write.
 */
/** GSI1 partition of Running workspaces ordered by idle deadline. */
export const SWEEP_SHARD = 'SWEEP';
/** GSI1 partition of workspaces whose desired state is not reached yet (re-drive). */
export const WORK_SHARD = 'WORK';
/** GSI1 partition of other settled workspaces (Stopped, Running without a timeout), for the drift resync. */
export const SETTLED_SHARD = 'SETTLED';
/** GSI1 partition of Stopped workspaces under retention, ordered by when the sweeper must look (warning, then delete). */
export const RETAIN_SHARD = 'RETAIN';
/** GSI2 partition listing outgoing-events subscriptions. */
export const WEBHOOKS_LIST = 'WEBHOOKS';
/** GSI1 partition of outbox items waiting for fan-out, oldest first. */
export const OUTBOX_SHARD = 'OUTBOX';
/** GSI1 partition of pending deliveries, ordered by when they are due. */
export const DELIVERY_SHARD = 'DELIVERY';
