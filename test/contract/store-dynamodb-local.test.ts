/**
 * The store contract on DynamoDB Local, Amazon's own implementation of the DynamoDB API, and embedded
 * mode keeping its table there (WORKBAY_DYNAMODB_ENDPOINT). One DynamoDB Local serves the whole file.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ulid } from 'ulid';
import { generateToken } from '../../lib/api';
import { startEmbedded, type Embedded } from '../../lib/embedded';
import { readSettings } from '../../lib/settings';
import { openStore } from '../../lib/store';
import { JAVA_PACKAGE, requireJava, startDynamoDBLocal, type DynamoDBLocal } from '../support/dynamodb-local';
import { providerYaml } from '../support/fixtures';
import { storeContract } from './store.contract';

let ddb: DynamoDBLocal;
beforeAll(async () => {
  ddb = await startDynamoDBLocal();
  process.stderr.write(`DynamoDB Local answered after ${ddb.startMs} ms on ${ddb.endpoint}\n`);
}, 120_000);
afterAll(async () => { await ddb?.stop(); });

storeContract('DynamoDB Local', async () => ({ ...ddb, stop: async () => {} }));

describe('DynamoDB Local harness', () => {
  it('fails naming the Debian package when there is no java, rather than skipping', () => {
    expect(() => requireJava({ PATH: '/nonexistent' })).toThrow(JAVA_PACKAGE);
    expect(JAVA_PACKAGE).toBe('openjdk-17-jre-headless');
  });
});

describe('embedded mode with WORKBAY_DYNAMODB_ENDPOINT', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'workbay-ddbl-'));
  const adminToken = generateToken();
  const table = `embedded-${ulid()}`;
  const start = () => startEmbedded(readSettings({
    PORT: '0', WORKBAY_DATA_DIR: dataDir, WORKBAY_ADMIN_TOKEN: adminToken, WORKBAY_TABLE: table,
    WORKBAY_DYNAMODB_ENDPOINT: ddb.endpoint, DOCKER_HOST: inject('dockerHost'), WORKBAY_SWEEP_INTERVAL: '1h',
  }));
  const call = async (wb: Embedded, method: string, path: string, yaml?: string) => {
    const res = await fetch(`${wb.url}${path}`, {
      method, body: yaml, headers: { authorization: `Bearer ${adminToken}`, ...(yaml ? { 'content-type': 'application/yaml' } : {}) },
    });
    return { status: res.status, body: await res.json() as any };
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its table in that DynamoDB: a provider added over HTTP is listed, also after a restart', async () => {
    const first = await start();
    try {
      expect((await call(first, 'POST', '/v1/providers', providerYaml('docker-page'))).status).toBe(201);
      const listed = await call(first, 'GET', '/v1/providers');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['docker-page']);
    } finally {
      await first.close();
    }
    const again = await start();
    try {
      const listed = await call(again, 'GET', '/v1/providers');
      expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual(['docker-page']);
    } finally {
      await again.close();
    }
    const direct = openStore({ tableName: table, endpoint: ddb.endpoint, region: ddb.region, credentials: ddb.credentials });
    expect(await direct.providers.get('docker-page')).toMatchObject({ name: 'docker-page', version: 1 });
    direct.db.doc.destroy();
    expect(existsSync(join(dataDir, 'dynamodb'))).toBe(false);
  });
});
