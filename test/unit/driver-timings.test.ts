import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIVER_TIMINGS, driverTimings } from '../../lib/drivers';
import { isWorkbayError } from '../../lib/errors';
import { readLambdaSettings, readSettings } from '../../lib/settings';

const lambdaEnv = { WORKBAY_TABLE: 'workbay', AWS_REGION: 'us-east-1' };

describe('driver timings are process settings', () => {
  it('the defaults are what an operator gets without settings', () => {
    expect(readSettings({}).driverTimings).toEqual({});
    expect(driverTimings(readSettings({}).driverTimings)).toEqual(DEFAULT_DRIVER_TIMINGS);
    expect(DEFAULT_DRIVER_TIMINGS).toMatchObject({ stopGraceSeconds: 10, buildTimeoutMs: 1_800_000, podStartTimeoutMs: 300_000 });
  });

  it('WORKBAY_STOP_GRACE, WORKBAY_BUILD_TIMEOUT and WORKBAY_POD_START_TIMEOUT override them, in embedded mode and on AWS', () => {
    const env = { WORKBAY_STOP_GRACE: '3s', WORKBAY_BUILD_TIMEOUT: '1h', WORKBAY_POD_START_TIMEOUT: '90s' };
    const want = { stopGraceSeconds: 3, buildTimeoutMs: 3_600_000, podStartTimeoutMs: 90_000 };
    expect(readSettings(env).driverTimings).toEqual(want);
    expect(readLambdaSettings({ ...lambdaEnv, ...env }).driverTimings).toEqual(want);
    const t = driverTimings(readSettings(env).driverTimings);
    expect(t).toMatchObject(want);
    expect(t.volumeRemoveRetries).toBe(DEFAULT_DRIVER_TIMINGS.volumeRemoveRetries);
    expect(readSettings({ WORKBAY_STOP_GRACE: '0' }).driverTimings).toEqual({ stopGraceSeconds: 0 });
  });

  it.each([
    ['WORKBAY_STOP_GRACE', 'soon'],
    ['WORKBAY_BUILD_TIMEOUT', '0'],
    ['WORKBAY_POD_START_TIMEOUT', '-5s'],
  ])('a bad %s=%s stops the process with the variable\'s name', (name, value) => {
    let err: unknown;
    try { readSettings({ [name]: value }); } catch (e) { err = e; }
    expect(isWorkbayError(err) && err.code).toBe('config.invalid');
    expect(String((err as Error).message)).toContain(name);
  });
});
