/**
 * Issues the bootstrap admin token of an AWS deployment straight into its table, with the operator's
 * own AWS credentials (nothing is stored in the functions' environment):
 *
 *   npx tsx infra/admin-token.ts --table <TableName output> --region us-east-1 [--owner admin]
 *
 * The token is printed once; only its SHA-256 is stored. Running it again rotates: the new token
 * replaces the one this tool issued before, which gets 401 from then on. Further tokens come from
 * POST /v1/tokens (`workbay token issue`) and are not affected.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateToken, tokenRecord } from '../lib/tokens';
import { openStore, type Store } from '../lib/store';

/** Options of the bootstrap token. */
export interface SeedOptions { owner?: string; description?: string }

/** Stores a new bootstrap admin token for `owner` and retires the previous one (their prefixes in `retired`). */
export async function rotateAdminToken(store: Store, o: SeedOptions = {}): Promise<{ token: string; retired: string[] }> {
  const token = generateToken();
  const retired = await store.tokens.rotateBootstrap(tokenRecord(token, {
    owner: o.owner ?? 'admin', role: 'admin', description: o.description ?? 'bootstrap admin (infra/admin-token.ts)',
  }));
  return { token, retired };
}

/** Like rotateAdminToken, returning only the token (the only time it is visible). */
export async function seedAdminToken(store: Store, o: SeedOptions = {}): Promise<string> {
  return (await rotateAdminToken(store, o)).token;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { table: { type: 'string' }, region: { type: 'string' }, owner: { type: 'string', default: 'admin' } },
  });
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!values.table || !region) {
    process.stderr.write('usage: npx tsx infra/admin-token.ts --table <TableName> --region <region> [--owner admin]\n');
    process.exit(2);
  }
  const store = openStore({ tableName: values.table, region });
  const { token, retired } = await rotateAdminToken(store, { owner: values.owner });
  store.db.doc.destroy();
  if (retired.length) process.stderr.write(`retired the previous bootstrap admin token: ${retired.join(', ')}\n`);
  process.stdout.write(`${token}\n`);
}
