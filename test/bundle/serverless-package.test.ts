/**
 * `npm run build` then `npx osls package`, offline with dummy credentials, as a deploy would start;
 * the generated CloudFormation template is what AWS would get.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../infra/build';
import { tableResource } from '../../infra/cloudformation';
import { GSI_LIST, GSI_SWEEP } from '../../infra/table';

type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: unknown };
let resources: Record<string, Resource>;
const home = mkdtempSync(join(tmpdir(), 'workbay-osls-home-'));
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  // Nothing here may reach the network: no npm update check, no AWS call (dummy credentials).
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x',
    npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false',
  };
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, env, stdio: 'pipe', timeout: 120_000 });
  execFileSync('npx', ['--offline', 'osls', 'package', '--stage', 'test', '--region', 'us-east-1'], { cwd: ROOT, env, stdio: 'pipe', timeout: 120_000 });
  const template = JSON.parse(readFileSync(join(ROOT, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = template.Resources;
}, 240_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('serverless.yml, packaged by osls', () => {
  it('declares the table from infra/table.ts: both GSIs, the stream, TTL, PITR, on demand, kept on removal', () => {
    const [[name, table]] = ofType('AWS::DynamoDB::Table') as [[string, Resource & { DeletionPolicy?: string }]];
    expect(name).toBe('Table');
    expect(table).toEqual(tableResource());
    const p = table.Properties;
    expect(p.GlobalSecondaryIndexes.map((g: { IndexName: string }) => g.IndexName)).toEqual([GSI_SWEEP, GSI_LIST]);
    expect(p.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('deploys the three prebuilt zips on nodejs22.x, with the table by reference and secrets by prefix only', () => {
    const fns = Object.fromEntries(ofType('AWS::Lambda::Function').map(([, r]) => [r.Properties.FunctionName, r.Properties]));
    expect(Object.keys(fns).sort()).toEqual(['workbay-test-api', 'workbay-test-reconciler', 'workbay-test-sweeper']);
    for (const fn of ['api', 'sweeper', 'reconciler']) {
      const p = fns[`workbay-test-${fn}`]!;
      expect(p).toMatchObject({ Runtime: 'nodejs22.x', Handler: 'index.handler' });
      expect(p.Code.S3Key).toMatch(new RegExp(`/${fn}\\.zip$`));
      expect(p.Environment.Variables).toEqual({
        WORKBAY_TABLE: { Ref: 'Table' }, WORKBAY_SECRET_PREFIX: 'workbay/test/', WORKBAY_IDLE_WARNING: '1m', NODE_OPTIONS: '--enable-source-maps',
      });
    }
    expect(fns['workbay-test-sweeper']!.ReservedConcurrentExecutions).toBe(1);
  });

  it('runs the sweeper every minute and the api behind an HTTP API (payload 2.0) for every path', () => {
    const [[, rule]] = ofType('AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': ['SweeperLambdaFunction', 'Arn'] });
    const [[, httpApi]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    expect(httpApi.Properties.ProtocolType).toBe('HTTP');
    expect(ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey).sort()).toEqual(['ANY /', 'ANY /{proxy+}']);
    const [[, integration]] = ofType('AWS::ApiGatewayV2::Integration') as [[string, Resource]];
    expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
  });

  it('triggers the reconciler from the table stream with partial batch failures and a workspace filter', () => {
    const [[, mapping]] = ofType('AWS::Lambda::EventSourceMapping') as [[string, Resource]];
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['Table', 'StreamArn'] }, FunctionName: { 'Fn::GetAtt': ['ReconcilerLambdaFunction', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'], BisectBatchOnFunctionError: true,
    });
    const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({
      eventName: ['INSERT', 'MODIFY'],
      dynamodb: { Keys: { pk: { S: [{ prefix: 'WS#' }] }, sk: { S: ['META'] } }, NewImage: { gsi1pk: { S: ['WORK', { prefix: 'WORK#' }] } } },
    });
  });

  it('grants least privilege: the table, its indexes, its stream and the secret prefix; no Scan, no wildcard', () => {
    const statements = resources.IamRoleLambdaExecution!.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement) as { Action: string[]; Resource: unknown[] }[];
    const scoped = statements.filter((s) => s.Action.some((a) => a.startsWith('dynamodb:') || a.startsWith('secretsmanager:')));
    for (const s of scoped) {
      expect(s.Resource).not.toContain('*');
      expect(JSON.stringify(s.Resource)).not.toMatch(/"arn:aws:dynamodb:[^"]*\*|table\/\*/);
    }
    const actions = scoped.flatMap((s) => s.Action);
    expect(actions).not.toContain('dynamodb:Scan');
    expect(actions.filter((a) => a.endsWith('*'))).toEqual([]);
    const table = scoped.find((s) => s.Action.includes('dynamodb:Query'))!;
    expect(table.Resource).toEqual([{ 'Fn::GetAtt': ['Table', 'Arn'] }, { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, 'index/*']] }]);
    const stream = scoped.find((s) => s.Action.includes('dynamodb:GetRecords'))!;
    expect(stream.Resource).toEqual([{ 'Fn::GetAtt': ['Table', 'StreamArn'] }]);
    const secrets = scoped.find((s) => s.Action.includes('secretsmanager:GetSecretValue'))!;
    expect(secrets.Action).toEqual(['secretsmanager:GetSecretValue']);
    expect(secrets.Resource).toHaveLength(1);
    const parts = (secrets.Resource[0] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    expect(parts.at(-1)).toBe(':secret:workbay/test/*');
    expect(JSON.stringify(parts)).toContain(':secretsmanager:');
    expect(scoped).toHaveLength(3);
  });
});
