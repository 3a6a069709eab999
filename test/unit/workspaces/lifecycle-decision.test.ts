import { describe, expect, it } from 'vitest';
import { Issues } from '../../../lib/config/issues';
import { parseLifecycle, parseLifecycleDuration, DEFAULT_LIFECYCLE } from '../../../lib/policy/lifecycle';
import { lifecycleFields, mayKeep } from '../../../lib/workspaces/lifecycle-request';
import { deleteAfterOf, retentionCheckAt, stopAtOf, sweepAtOf } from '../../../lib/workspaces/lifecycle-deadlines';
import { deleteOnStop, lifetimeDecision, retentionDecision } from '../../../lib/workspaces/lifecycle-decision';
import type { WorkspaceRecord } from '../../../lib/store';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000);
const iso = (s: number) => at(s).toISOString();

function ws(over: Partial<WorkspaceRecord>): WorkspaceRecord {
  return {
    id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', name: 'w', owner: 'dev', provider: 'p', driver: 'docker', source: { image: 'i' }, options: {}, env: {},
    desiredState: 'Stopped', status: 'Stopped', inactivityTimeoutSeconds: 0, inactivityTimeoutSource: 'provider',
    version: 1, createdAt: iso(0), updatedAt: iso(0), ...over,
  };
}

function parse(value: unknown) {
  const issues = new Issues();
  const add = (path: readonly (string | number)[], message: string) => issues.add(path.join('.'), message);
  return { policy: parseLifecycle(value, add), errors: issues.errors.map((e) => `${e.field}: ${e.message}`) };
}

describe('workbay.lifecycle parsing', () => {
  it('reads days, Go durations and never; 0 retention stays 0 (delete on stop)', () => {
    expect(parseLifecycleDuration('30d', 'f')).toBe(30 * 86_400);
    expect(parseLifecycleDuration('1d12h', 'f')).toBe(36 * 3600);
    expect(parseLifecycleDuration('90m', 'f')).toBe(5400);
    expect(parseLifecycleDuration(0, 'f')).toBe(0);
    expect(parseLifecycleDuration('never', 'f')).toBeUndefined();
    expect(parseLifecycleDuration('', 'f')).toBeUndefined();
    expect(() => parseLifecycleDuration('30 days', 'f')).toThrow(/not a duration/);
  });

  it('takes defaults and ceilings; a ceiling without a default becomes the default', () => {
    const { policy, errors } = parse({ retention: { default: '30d', max: '90d' }, maxLifetime: { max: '24h' }, retentionWarning: '2d', keep: 'owners' });
    expect(errors).toEqual([]);
    expect(policy).toEqual({ retention: { default: 30 * 86_400, max: 90 * 86_400 }, maxLifetime: { default: 86_400, max: 86_400 }, retentionWarningSeconds: 2 * 86_400, keep: 'owners' });
    expect(parse(undefined).policy).toEqual(DEFAULT_LIFECYCLE);
  });

  it('reports every mistake with its path', () => {
    expect(parse({ retention: { default: '90d', max: '30d' }, maxLifetime: { default: 'never', max: '1h' }, keep: 'everyone', ttl: 1 }).errors).toEqual([
      'workbay.lifecycle.ttl: unknown lifecycle key "ttl"',
      'workbay.lifecycle.retention.default: default is above max',
      'workbay.lifecycle.maxLifetime.default: default (never) is above max',
      'workbay.lifecycle.keep: expected admins or owners, got "everyone"',
    ]);
  });
});

describe('lifecycle requests within the provider ceilings', () => {
  const policy = { ...DEFAULT_LIFECYCLE, retention: { default: 3600, max: 7200 }, maxLifetime: { default: 600, max: 1200 } };

  it('applies defaults, and overrides within the ceiling', () => {
    expect(lifecycleFields(policy, {}).fields).toMatchObject({ retentionSeconds: 3600, retentionSource: 'provider', maxLifetimeSeconds: 600, retentionWarningSeconds: 86_400 });
    const r = lifecycleFields(policy, { retention: 0, maxLifetime: '15m' });
    expect(r).toEqual({ fields: expect.objectContaining({ retentionSeconds: 0, retentionSource: 'workspace', maxLifetimeSeconds: 900, maxLifetimeSource: 'workspace' }), violations: [] });
  });

  it('refuses longer than the ceiling, or never under one', () => {
    expect(lifecycleFields(policy, { retention: '3h', maxLifetime: 0 }).violations.map((v) => `${v.rule}: ${v.message}`)).toEqual([
      "policy.lifecycle.retention: 10800 s is longer than this provider's maximum of 7200 s",
      "policy.lifecycle.maxLifetime: never is longer than this provider's maximum of 1200 s",
    ]);
    expect(lifecycleFields(DEFAULT_LIFECYCLE, { retention: null, maxLifetime: '' })).toMatchObject({ fields: { retentionSeconds: undefined, maxLifetimeSeconds: undefined }, violations: [] });
  });

  it('lets owners keep only where the provider says so; admins always', () => {
    expect(mayKeep(DEFAULT_LIFECYCLE, 'user')?.rule).toBe('policy.lifecycle.keep');
    expect(mayKeep(DEFAULT_LIFECYCLE, 'admin')).toBeUndefined();
    expect(mayKeep({ ...DEFAULT_LIFECYCLE, keep: 'owners' }, 'user')).toBeUndefined();
  });
});

describe('deadlines and decisions (pure)', () => {
  const stopped = ws({ stoppedAt: iso(0), retentionSeconds: 100, retentionWarningSeconds: 30 });

  it('a stopped workspace is looked at when its warning is due, then at its deadline; keep exempts it', () => {
    expect(deleteAfterOf(stopped)).toBe(iso(100));
    expect(retentionCheckAt(stopped)).toBe(iso(70));
    expect(retentionCheckAt({ ...stopped, retentionWarningFor: iso(100) })).toBe(iso(100));
    expect(deleteAfterOf({ ...stopped, keep: true })).toBeUndefined();
    expect(deleteAfterOf({ ...stopped, retentionSeconds: undefined })).toBeUndefined();
    expect(deleteAfterOf({ ...stopped, desiredState: 'Running' })).toBeUndefined();
  });

  it('warns inside the lead time, deletes past the deadline (warning first if none went out)', () => {
    expect(retentionDecision(stopped, at(60))).toEqual({ kind: 'skip' });
    expect(retentionDecision(stopped, at(75))).toEqual({ kind: 'warn', deleteAfter: iso(100) });
    expect(retentionDecision({ ...stopped, retentionWarningFor: iso(100) }, at(75))).toEqual({ kind: 'skip' });
    expect(retentionDecision(stopped, at(100))).toEqual({ kind: 'delete', deleteAfter: iso(100), warnFirst: true });
    expect(retentionDecision({ ...stopped, retentionWarningFor: iso(100) }, at(101))).toEqual({ kind: 'delete', deleteAfter: iso(100), warnFirst: false });
    expect(retentionDecision({ ...stopped, keep: true }, at(1e6))).toEqual({ kind: 'skip' });
  });

  it('retention 0 deletes on stop without a warning', () => {
    const ephemeral = { ...stopped, retentionSeconds: 0 };
    expect(deleteOnStop(ephemeral)).toBe(true);
    expect(deleteOnStop({ ...ephemeral, keep: true })).toBe(false);
    expect(retentionDecision(ephemeral, at(0))).toMatchObject({ kind: 'delete', warnFirst: false });
  });

  it('a running workspace stops at startedAt + maxLifetime whatever its activity; the SWEEP key is the earlier deadline', () => {
    const running = ws({ status: 'Running', desiredState: 'Running', startedAt: iso(0), maxLifetimeSeconds: 50, inactivityTimeoutSeconds: 60, idleDeadline: iso(60), lastActivityAt: iso(0) });
    expect(stopAtOf(running)).toBe(iso(50));
    expect(sweepAtOf(running)).toBe(iso(50));
    expect(sweepAtOf({ ...running, idleDeadline: iso(20) })).toBe(iso(20));
    expect(sweepAtOf({ ...running, inactivityTimeoutSeconds: 0, idleDeadline: undefined })).toBe(iso(50));
    expect(lifetimeDecision(running, at(49))).toEqual({ kind: 'skip' });
    expect(lifetimeDecision({ ...running, lastActivityAt: iso(49) }, at(50))).toEqual({ kind: 'stop', stopAt: iso(50) });
    expect(lifetimeDecision({ ...running, desiredState: 'Stopped' }, at(99))).toEqual({ kind: 'skip' });
  });
});
