import { afterAll, beforeAll, describe } from 'vitest';
import { indexCases } from './store-indexes.contract';
import { itemCases } from './store-items.contract';
import { quotaCases } from './store-quotas.contract';
import { shardCases } from './store-shards.contract';
import { storeContext, type StoreTarget } from './store-fixtures';

export type { StoreTarget } from './store-fixtures';

/**
 * The store contract (DESIGN §6): the same cases against every DynamoDB implementation workbay runs
 * on (dynalite embedded, Amazon's DynamoDB Local), so a difference between them fails here rather
 * than in production. `start` brings the backend up once per file; every case gets a fresh table.
 */
export function storeContract(name: string, start: () => Promise<StoreTarget>): void {
  describe(`store contract: ${name}`, () => {
    let target: StoreTarget | undefined;
    const ctx = storeContext(() => {
      if (!target) throw new Error(`${name} did not start`);
      return target;
    });
    beforeAll(async () => { target = await start(); }, 120_000);
    afterAll(async () => {
      ctx.closeAll();
      await target?.stop();
    });
    itemCases(ctx);
    indexCases(ctx);
    quotaCases(ctx);
    shardCases(ctx);
  });
}
