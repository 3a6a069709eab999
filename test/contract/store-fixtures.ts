import { expect } from 'vitest';
import { ulid } from 'ulid';
import { ensureTable, openStore, type Store, type WorkspaceRecord } from '../../lib/store';
import { isWorkbayError, type ErrorCode } from '../../lib/errors';

/** Where the store contract runs: an endpoint speaking the DynamoDB API, and how to reach it. */
export interface StoreTarget {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** What the contract's case files get: a fresh table per case, so shard orderings are exact. */
export interface StoreContext {
  /** A store over a new, empty table made by `ensureTable`. */
  fresh(): Promise<Store>;
  target(): StoreTarget;
}

let tables = 0;

/** Opens stores over fresh tables of one target and closes their clients at the end. */
export function storeContext(target: () => StoreTarget): StoreContext & { closeAll(): void } {
  const opened: Store[] = [];
  return {
    target,
    async fresh() {
      const t = target();
      const store = openStore({ tableName: `contract-${++tables}-${ulid()}`, endpoint: t.endpoint, region: t.region, credentials: t.credentials });
      opened.push(store);
      await ensureTable(store.db);
      return store;
    },
    closeAll() {
      for (const s of opened) s.db.doc.destroy();
    },
  };
}

/** A workspace record with sensible defaults: Pending, desired Running, no inactivity timeout. */
export function workspace(over: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  const id = over.id ?? ulid();
  const now = new Date().toISOString();
  return {
    id, name: `ws-${id.slice(-6).toLowerCase()}`, owner: 'alice', provider: 'docker', driver: 'docker',
    source: { image: 'busybox:latest' }, options: {}, env: {}, desiredState: 'Running', status: 'Pending',
    inactivityTimeoutSeconds: 0, inactivityTimeoutSource: 'provider', version: 1, createdAt: now, updatedAt: now,
    ...over,
  };
}

/** A settled Running workspace with an idle deadline (what the SWEEP shard holds). */
export function idleable(idleDeadline: string, over: Partial<WorkspaceRecord> = {}): WorkspaceRecord {
  return workspace({ status: 'Running', desiredState: 'Running', inactivityTimeoutSeconds: 600, idleDeadline, ...over });
}

/** Expects `call` to fail with the WorkbayError `code`. */
export async function expectCode(call: Promise<unknown>, code: ErrorCode): Promise<void> {
  const err = await call.then(() => undefined, (e: unknown) => e);
  expect(err, `expected ${code}`).toBeDefined();
  expect(isWorkbayError(err) ? err.code : err).toBe(code);
}

/** An ISO time `seconds` from now. */
export const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
