/**
 * Issues the first admin token of an AWS deployment straight into its table, with the operator's own
 * AWS credentials (nothing is stored in the functions' environment):
 *
 *   npx tsx infra/admin-token.ts --table <TableName output> --region us-east-1 [--owner admin]
 *
 * The token is printed once; only its SHA-256 is stored. Further tokens come from POST /v1/tokens.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateToken, hashToken, tokenHint } from '../lib/api';
import { openStore, type Store } from '../lib/store';

/** Stores a new admin token for `owner` and returns the token (the only time it is visible). */
export async function seedAdminToken(store: Store, o: { owner?: string; description?: string } = {}): Promise<string> {
  const token = generateToken();
  await store.tokens.put({
    hash: hashToken(token), prefix: tokenHint(token), owner: o.owner ?? 'admin', role: 'admin',
    description: o.description ?? 'bootstrap admin (infra/admin-token.ts)', createdAt: new Date().toISOString(),
  });
  return token;
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
  const token = await seedAdminToken(store, { owner: values.owner });
  store.db.doc.destroy();
  process.stdout.write(`${token}\n`);
}
