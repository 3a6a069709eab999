/** WORKBAY_DYNAMODB_ENDPOINT: how embedded mode reads it and which credentials the store then signs with. */
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../lib/settings';
import { LOCAL_CREDENTIALS } from '../../lib/store';
import { externalStoreOptions } from '../../lib/store/external';
import { isWorkbayError } from '../../lib/errors';

describe('WORKBAY_DYNAMODB_ENDPOINT', () => {
  it('is unset by default, so embedded mode starts its own dynalite', () => {
    expect(readSettings({}).dynamodbEndpoint).toBeUndefined();
  });

  it('is read with AWS_REGION, and a value that is not an http(s) URL stops the start naming the variable', () => {
    const s = readSettings({ WORKBAY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_REGION: 'eu-west-1' });
    expect(s).toMatchObject({ dynamodbEndpoint: 'http://127.0.0.1:8000', dynamodbRegion: 'eu-west-1' });
    for (const bad of ['127.0.0.1:8000', 'file:///tmp/db', 'http://host/path']) {
      let err: unknown;
      try { readSettings({ WORKBAY_DYNAMODB_ENDPOINT: bad }); } catch (e) { err = e; }
      expect(isWorkbayError(err, 'config.invalid') && err.message).toMatch(/WORKBAY_DYNAMODB_ENDPOINT/);
    }
  });

  it('a loopback endpoint gets throwaway credentials; any other uses the AWS credential chain', () => {
    for (const endpoint of ['http://127.0.0.1:8000', 'http://localhost:8000/', 'http://[::1]:8000']) {
      expect(externalStoreOptions({ tableName: 'workbay', endpoint }).credentials).toEqual(LOCAL_CREDENTIALS);
    }
    const remote = externalStoreOptions({ tableName: 'workbay', endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1' });
    expect(remote).toEqual({ tableName: 'workbay', endpoint: 'https://dynamodb.eu-west-1.amazonaws.com', region: 'eu-west-1' });
    expect(externalStoreOptions({ tableName: 't', endpoint: 'http://127.0.0.1.example.com:8000' }).credentials).toBeUndefined();
    expect(externalStoreOptions({ tableName: 't', endpoint: 'http://db.internal:8000' }).region).toBe('us-east-1');
  });
});
