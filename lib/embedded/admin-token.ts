import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken, hashToken, tokenHint } from '../api';
import type { Store } from '../store';

/** Where embedded mode keeps a generated admin token (mode 0600). */
export const adminTokenFile = (dataDir: string) => join(dataDir, 'admin-token');

/** Outcome of the bootstrap; `token` is only set when it was generated now and must be shown once. */
export interface AdminBootstrap {
  /** The token just generated, to print once; undefined when it came from the environment or an earlier start. */
  generated?: string;
  file?: string;
}

/**
 * Makes sure an admin token exists: `WORKBAY_ADMIN_TOKEN` when given, else the one stored under the
 * data dir by an earlier start, else a new one.
 */
export async function ensureAdminToken(store: Store, dataDir: string, fromEnv?: string): Promise<AdminBootstrap> {
  const file = adminTokenFile(dataDir);
  let token = fromEnv;
  let generated: string | undefined;
  if (!token && existsSync(file)) token = readFileSync(file, 'utf8').trim();
  if (!token) {
    token = generated = generateToken();
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
  }
  await store.tokens.put({
    hash: hashToken(token), prefix: tokenHint(token), owner: 'admin', role: 'admin',
    description: fromEnv ? 'from WORKBAY_ADMIN_TOKEN' : 'embedded-mode admin', createdAt: new Date().toISOString(),
  });
  return { generated, file: fromEnv ? undefined : file };
}
