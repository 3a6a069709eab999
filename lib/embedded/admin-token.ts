import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateToken, tokenRecord } from '../api';
import type { Store } from '../store';

/** Where embedded mode keeps a generated admin token (mode 0600). */
export const adminTokenFile = (dataDir: string) => join(dataDir, 'admin-token');

/** Outcome of the bootstrap; `token` is only set when it was generated now and must be shown once. */
export interface AdminBootstrap {
  /** The token just generated, to print once; undefined when it came from the environment or an earlier start. */
  generated?: string;
  file?: string;
  /** Prefixes of earlier admin tokens this start retired (they get 401 from now on). */
  retired: string[];
}

/**
 * Makes sure the configured admin token is the one that works: `WORKBAY_ADMIN_TOKEN` when given, else
 * the one stored under the data dir by an earlier start, else a new one. When it differs from the
 * admin token an earlier start installed, that one is retired, so replacing the variable rotates it.
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
  const retired = await store.tokens.rotateBootstrap(tokenRecord(token, {
    owner: 'admin', role: 'admin', description: fromEnv ? 'from WORKBAY_ADMIN_TOKEN' : 'embedded-mode admin',
  }));
  // A generated token left in the file would come back to life on a start without the variable.
  if (fromEnv && existsSync(file) && readFileSync(file, 'utf8').trim() !== fromEnv) rmSync(file, { force: true });
  return { generated, file: fromEnv ? undefined : file, retired };
}
