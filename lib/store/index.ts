import { createDb, ensureTable, LOCAL_CREDENTIALS, type Db, type StoreOptions } from './client';
import { idempotencyClaims, nameClaims, type ClaimRepo } from './claims';
import { EventRepo } from './events';
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
  names: ClaimRepo;
  idempotency: ClaimRepo;
  quotas: QuotaRepo;
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
    names: nameClaims(db),
    idempotency: idempotencyClaims(db),
    quotas: new QuotaRepo(db),
  };
}

export { ensureTable, LOCAL_CREDENTIALS, type StoreOptions, type Db };
export type { Claim, ClaimRepo } from './claims';
export type { QuotaKind, QuotaRepo } from './quotas';
export { needsWork, type Page } from './workspaces';
export * from './types';
export { isConditionFailure } from './conditional';
