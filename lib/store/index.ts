import { createDb, ensureTable, LOCAL_CREDENTIALS, type Db, type StoreOptions } from './client';
import { idempotencyClaims, nameClaims, type ClaimRepo } from './claims';
import { EventRepo } from './events';
import { OutboxRepo } from './outbox';
import { WebhookRepo } from './webhooks';
import { IntegrationRepo } from './integrations';
import { InstanceRepo } from './instance';
import { ProviderRepo } from './providers';
import { QuotaRepo } from './quotas';
import { TokenRepo } from './tokens';
import { WorkspaceRepo } from './workspaces';

/** All repositories over the one table. */
export interface Store {
  db: Db;
  providers: ProviderRepo;
  tokens: TokenRepo;
  workspaces: WorkspaceRepo;
  events: EventRepo;
  webhooks: WebhookRepo;
  outbox: OutboxRepo;
  integrations: IntegrationRepo;
  names: ClaimRepo;
  idempotency: ClaimRepo;
  quotas: QuotaRepo;
  instance: InstanceRepo;
}

/** Opens the store; call `ensureTable` first in embedded mode. */
export function openStore(opts: StoreOptions): Store {
  const db = createDb(opts);
  return {
    db,
    providers: new ProviderRepo(db),
    tokens: new TokenRepo(db),
    workspaces: new WorkspaceRepo(db),
    events: new EventRepo(db),
    webhooks: new WebhookRepo(db),
    outbox: new OutboxRepo(db),
    integrations: new IntegrationRepo(db),
    names: nameClaims(db),
    idempotency: idempotencyClaims(db),
    quotas: new QuotaRepo(db),
    instance: new InstanceRepo(db),
  };
}

export { ensureTable, LOCAL_CREDENTIALS, type StoreOptions, type Db };
export type { Claim, ClaimRepo } from './claims';
export type { QuotaKind, QuotaRepo } from './quotas';
export type { WebhookRecord, WebhookRepo, WebhookScope, WebhookSecret } from './webhooks';
export type { DeliveryAttempt, DeliveryRecord, OutboxRecord, OutboxRepo } from './outbox';
export type { IntegrationRepo, IntegrationRecord, IntegrationEvent, PullRequestRecord, FollowUpRecord } from './integrations';
export { needsWork, type Page } from './workspaces';
export * from './types';
export { isConditionFailure } from './conditional';
