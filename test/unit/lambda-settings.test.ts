/** The Lambda functions' environment, parsed once at cold start (lib/settings.ts). */
import { describe, expect, it } from 'vitest';
import { readLambdaSettings } from '../../lib/settings';
import { WorkbayError } from '../../lib/errors';

const base = { WORKBAY_TABLE: 'workbay-prod-Table-1ABC', AWS_REGION: 'eu-west-1' };

const refusal = (env: Record<string, string | undefined>) => {
  try {
    readLambdaSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkbayError);
    return err as WorkbayError;
  }
  throw new Error('expected a refusal');
};

describe('readLambdaSettings', () => {
  it('reads what serverless.yml sets, with no local engine and no kubeconfig default', () => {
    expect(readLambdaSettings({ ...base, WORKBAY_SECRET_PREFIX: 'workbay/prod/', WORKBAY_IDLE_WARNING: '2m', DOCKER_HOST: 'unix:///var/run/docker.sock' })).toEqual({
      table: 'workbay-prod-Table-1ABC', region: 'eu-west-1', secretPrefix: 'workbay/prod/', idleWarningSeconds: 120,
      helperImage: 'alpine/git:latest', helperNetwork: undefined, dockerHost: undefined, dynamodbEndpoint: undefined,
      driverTimings: {},
    });
  });

  it('requires the table and the region, naming the variable', () => {
    expect(refusal({ AWS_REGION: 'eu-west-1' }).errors.map((e) => e.field)).toEqual(['WORKBAY_TABLE']);
    expect(refusal({ WORKBAY_TABLE: 'workbay', AWS_REGION: '' }).errors.map((e) => e.field)).toEqual(['AWS_REGION']);
    expect(refusal({ ...base, WORKBAY_IDLE_WARNING: 'soon' }).message).toMatch(/WORKBAY_IDLE_WARNING/);
    expect(refusal({ ...base, WORKBAY_SECRET_PREFIX: 'arn:aws:secretsmanager:*' }).errors[0]!.field).toBe('WORKBAY_SECRET_PREFIX');
  });

  it('points the store at a local DynamoDB only on loopback (tests), never elsewhere', () => {
    expect(readLambdaSettings({ ...base, WORKBAY_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' }).dynamodbEndpoint).toBe('http://127.0.0.1:8000');
    for (const endpoint of ['https://dynamodb.example.com', 'http://10.0.0.5:8000', 'http://127.0.0.1.evil.example:80']) {
      expect(refusal({ ...base, WORKBAY_DYNAMODB_ENDPOINT: endpoint }).errors[0]!.field).toBe('WORKBAY_DYNAMODB_ENDPOINT');
    }
  });
});
