/**
 * Secret references. Secrets Manager is the one stand-in: a fake GetSecretValue that behaves like the
 * AWS API (values by name, the service's error names), so the resolver's own logic runs for real.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkbayError } from '../../lib/errors';
import { awsSecrets, localSecrets, type GetSecretValue } from '../../lib/secrets';

const TLS_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n';
const JSON_SECRET = JSON.stringify({ ca: 'the-ca', token: 's3cr3t-t0ken', port: 2376 });

/** A Secrets Manager with a few secrets; counts calls; can be told to fail like the service does. */
function fakeSecretsManager(secrets: Record<string, string | Uint8Array>) {
  const calls: string[] = [];
  let failWith: string | undefined;
  const getSecretValue: GetSecretValue = async ({ SecretId }) => {
    calls.push(SecretId);
    if (failWith) throw Object.assign(new Error(`${failWith}: simulated`), { name: failWith });
    const v = secrets[SecretId];
    if (v === undefined) throw Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException' });
    return typeof v === 'string' ? { SecretString: v } : { SecretBinary: v };
  };
  return { getSecretValue, calls, failWith: (name: string | undefined) => { failWith = name; } };
}

const sm = () => fakeSecretsManager({
  'workbay/prod/docker-key': TLS_KEY,
  'workbay/prod/docker': JSON_SECRET,
  'workbay/prod/not-json': 'hello "world"',
  'workbay/prod/binary': new TextEncoder().encode('bytes-as-text'),
  'other-team/db-password': 'never-reachable',
});

/** The thrown WorkbayError, checked to never carry a secret value in its message, fields or cause. */
async function refusal(p: Promise<unknown>, ...values: string[]): Promise<WorkbayError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkbayError);
  const e = err as WorkbayError;
  const text = JSON.stringify({ message: e.message, errors: e.errors, cause: String(e.cause ?? ''), stack: e.stack });
  for (const v of [TLS_KEY, 's3cr3t-t0ken', 'hello', 'never-reachable', ...values]) expect(text).not.toContain(v);
  return e;
}

describe('aws-sm: references (Secrets Manager)', () => {
  it('resolves a secret by name, and one key of a JSON secret', async () => {
    const resolve = awsSecrets({ prefix: 'workbay/prod/', getSecretValue: sm().getSecretValue });
    expect(await resolve('aws-sm:workbay/prod/docker-key', 'agent.docker.env.DOCKER_TLS_KEY')).toBe(TLS_KEY);
    expect(await resolve('aws-sm:workbay/prod/docker#token', 'agent.kubernetes.config')).toBe('s3cr3t-t0ken');
    expect(await resolve('aws-sm:workbay/prod/binary', 'f')).toBe('bytes-as-text');
  });

  it('refuses names outside the prefix, ARNs and malformed names before calling AWS', async () => {
    const fake = sm();
    const resolve = awsSecrets({ prefix: 'workbay/prod/', getSecretValue: fake.getSecretValue });
    const outside = await refusal(resolve('aws-sm:other-team/db-password', 'agent.docker.env.DOCKER_TLS_KEY'));
    expect(outside).toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/outside the control plane's secret prefix/) });
    expect(outside.errors[0]).toMatchObject({ field: 'agent.docker.env.DOCKER_TLS_KEY', message: expect.stringContaining('workbay/prod/') });
    await refusal(resolve('aws-sm:workbay/prod/', 'f'));
    await refusal(resolve('aws-sm:workbay/prod', 'f'));
    await refusal(resolve('aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:workbay/prod/docker-key-AbCdEf', 'f'));
    await refusal(resolve('aws-sm:workbay/prod/a b', 'f'));
    expect(fake.calls).toEqual([]);
  });

  it('caches a value for the TTL, then fetches it again (a rotation is picked up)', async () => {
    const fake = sm();
    let now = 1_000_000;
    const resolve = awsSecrets({ prefix: 'workbay/prod/', getSecretValue: fake.getSecretValue, ttlMs: 300_000, now: () => now });
    await Promise.all([resolve('aws-sm:workbay/prod/docker#ca', 'a'), resolve('aws-sm:workbay/prod/docker#token', 'b')]);
    now += 299_000;
    await resolve('aws-sm:workbay/prod/docker', 'c');
    expect(fake.calls).toEqual(['workbay/prod/docker']);
    now += 2_000;
    await resolve('aws-sm:workbay/prod/docker', 'c');
    expect(fake.calls).toEqual(['workbay/prod/docker', 'workbay/prod/docker']);
  });

  it('reports a missing secret or key as config.invalid and AWS outages as retryable, never with the value', async () => {
    const fake = sm();
    const resolve = awsSecrets({ prefix: 'workbay/prod/', getSecretValue: fake.getSecretValue });
    expect(await refusal(resolve('aws-sm:workbay/prod/missing', 'f'))).toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/does not exist/) });
    expect(await refusal(resolve('aws-sm:workbay/prod/docker#nope', 'f'))).toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/no string key "nope"/) });
    expect(await refusal(resolve('aws-sm:workbay/prod/docker#port', 'f'))).toMatchObject({ code: 'config.invalid' });
    // JSON.parse's own message would quote the text: it must not surface.
    expect(await refusal(resolve('aws-sm:workbay/prod/not-json#k', 'f'), 'world')).toMatchObject({ message: expect.stringMatching(/not a JSON object/) });
    fake.failWith('AccessDeniedException');
    expect(await refusal(resolve('aws-sm:workbay/prod/docker-key', 'f'))).toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/AccessDeniedException/) });
    fake.failWith('ThrottlingException');
    expect(await refusal(resolve('aws-sm:workbay/prod/docker-key', 'f'))).toMatchObject({ code: 'driver.unreachable' });
    fake.failWith(undefined);
    // A failure is not cached: the next use asks again and succeeds.
    expect(await resolve('aws-sm:workbay/prod/docker-key', 'f')).toBe(TLS_KEY);
  });

  it('refuses env: and file: on AWS: secrets are referenced by name only', async () => {
    const resolve = awsSecrets({ prefix: 'workbay/prod/', getSecretValue: sm().getSecretValue });
    const env = await refusal(resolve('env:DOCKER_TLS_KEY', 'agent.docker.env.DOCKER_TLS_KEY'));
    expect(env.errors[0]!.message).toMatch(/never hold secrets on AWS.*aws-sm:workbay\/prod\/<name>/);
    expect((await refusal(resolve('file:/proc/self/environ', 'f'))).message).toMatch(/file:/);
    expect((await refusal(resolve(TLS_KEY, 'f'))).errors[0]!.message).toMatch(/use one of aws-sm:/);
  });
});

describe('local references (embedded mode)', () => {
  it('resolves file: and env:, and says aws-sm: belongs to the AWS deployment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'workbay-secrets-'));
    writeFileSync(join(dir, 'key.pem'), TLS_KEY);
    const resolve = localSecrets({ DOCKER_TLS_KEY: 's3cr3t-t0ken' });
    expect(await resolve(`file:${join(dir, 'key.pem')}`, 'f')).toBe(TLS_KEY);
    expect(await resolve('env:DOCKER_TLS_KEY', 'f')).toBe('s3cr3t-t0ken');
    expect((await refusal(resolve('env:MISSING', 'f'))).errors[0]!.message).toMatch(/MISSING is not set/);
    expect((await refusal(resolve(`file:${join(dir, 'nope.pem')}`, 'f'))).errors[0]!.message).toMatch(/ENOENT/);
    expect((await refusal(resolve('aws-sm:workbay/prod/docker', 'f'))).errors[0]!.message).toMatch(/AWS deployment/);
    expect((await refusal(resolve('plain-literal', 'f'))).errors[0]!.message).toMatch(/use one of file:, env:/);
  });
});
