import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateAdminToken } from '../../infra/admin-token';
import { generateToken, hashToken, tokenHint } from '../../lib/api';
import { adminTokenFile, ensureAdminToken } from '../../lib/embedded/admin-token';
import { ensureTable, LOCAL_CREDENTIALS, openStore, type Store } from '../../lib/store';
import { startEmbeddedDynamo, type EmbeddedDynamo } from '../../lib/store/embedded';
import { keys } from '../../lib/store/keys';

let dynamo: EmbeddedDynamo;
let n = 0;
beforeAll(async () => { dynamo = await startEmbeddedDynamo(); });
afterAll(async () => { await dynamo?.close(); });

async function freshStore(): Promise<Store> {
  const store = openStore({ tableName: `rotation-${n++}`, endpoint: dynamo.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  await ensureTable(store.db);
  return store;
}
const works = async (store: Store, token: string) => Boolean(await store.tokens.get(hashToken(token)));

describe('bootstrap admin token rotation', () => {
  it('moves from a generated token to WORKBAY_ADMIN_TOKEN and back to a new generated one, retiring each', async () => {
    const store = await freshStore();
    const dir = mkdtempSync(join(tmpdir(), 'workbay-admin-'));
    try {
      const first = await ensureAdminToken(store, dir);
      const generated = first.generated!;
      expect(readFileSync(adminTokenFile(dir), 'utf8').trim()).toBe(generated);
      expect((await ensureAdminToken(store, dir)).retired).toEqual([]);

      const chosen = 'a-chosen-admin-secret-of-32-chars';
      const second = await ensureAdminToken(store, dir, chosen);
      expect(second.retired).toEqual([tokenHint(generated)]);
      expect(await works(store, generated)).toBe(false);
      expect(await works(store, chosen)).toBe(true);
      // The file held the retired token; left there, a start without the variable would revive it.
      expect(existsSync(adminTokenFile(dir))).toBe(false);
      // A chosen token is not shown by its first characters, which would give part of it away.
      const listed = await store.tokens.list();
      expect(listed.map((t) => t.prefix)).toEqual([expect.stringMatching(/^wbh_[0-9a-f]{10}$/)]);
      expect(JSON.stringify(listed)).not.toContain(chosen.slice(0, 8));

      const third = await ensureAdminToken(store, dir);
      expect(third.generated).toMatch(/^wbt_/);
      expect(await works(store, chosen)).toBe(false);
      expect(await works(store, third.generated!)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retires bootstrap tokens stored before rotation existed, and lists old tokens once they are used', async () => {
    const store = await freshStore();
    const legacyAdmin = generateToken();
    const legacyUser = generateToken();
    for (const [token, role, description] of [[legacyAdmin, 'admin', 'from WORKBAY_ADMIN_TOKEN'], [legacyUser, 'user', undefined]] as const) {
      // The item shape written before this change: no listing index, no bootstrap pointer.
      await store.db.doc.send(new PutCommand({
        TableName: store.db.table,
        Item: { ...keys.token(hashToken(token)), kind: 'token', hash: hashToken(token), prefix: tokenHint(token), owner: role === 'admin' ? 'admin' : 'zoe', role, description, createdAt: new Date().toISOString() },
      }));
    }
    const dir = mkdtempSync(join(tmpdir(), 'workbay-admin-'));
    try {
      const fresh = generateToken();
      const out = await ensureAdminToken(store, dir, fresh);
      expect(out.retired).toEqual([tokenHint(legacyAdmin)]);
      expect(await works(store, legacyAdmin)).toBe(false);
      expect(await works(store, legacyUser)).toBe(true);
      const user = (await store.tokens.get(hashToken(legacyUser)))!;
      expect((await store.tokens.list()).map((t) => t.owner)).toEqual(['admin']);
      await store.tokens.touch(user, new Date().toISOString(), new Date(Date.now() - 60_000).toISOString());
      expect((await store.tokens.list()).map((t) => t.owner).sort()).toEqual(['admin', 'zoe']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rotates the seeded admin token of an AWS deployment each time the operator seeds a new one', async () => {
    const store = await freshStore();
    const user = generateToken();
    const a = await rotateAdminToken(store);
    expect(a.retired).toEqual([]);
    await store.tokens.put({ hash: hashToken(user), prefix: tokenHint(user), owner: 'yuri', role: 'user', createdAt: new Date().toISOString() });
    const b = await rotateAdminToken(store);
    expect(b.retired).toEqual([tokenHint(a.token)]);
    expect(await works(store, a.token)).toBe(false);
    expect(await works(store, b.token)).toBe(true);
    expect(await works(store, user)).toBe(true);
  });
});
