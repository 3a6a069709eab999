import { describe, expect, it } from 'vitest';
import {
  assertDns1123Label, formatDuration, isDns1123Label, OPTION_NAME, parseDuration, parseKeyValueList, parseResources,
  validateQuantity,
} from '../../../lib/config';
import { configErrorOf } from './helpers';

describe('parseDuration', () => {
  it.each([
    [300, 300], ['300', 300], ['10m', 600], ['1h30m', 5400], ['1.5h', 5400], ['90s', 90], ['500ms', 1],
    ['1m0.5s', 61], ['0.1h', 360], ['', 0], [undefined, 0], [null, 0], [0, 0], ['0', 0], ['0s', 0], [1.2, 2], [' 5m ', 300],
  ])('%j -> %i seconds', (input, seconds) => {
    expect(parseDuration(input, 'agent.containerInactivityTimeout')).toBe(seconds);
  });

  it.each(['10 minutes', '5x', '-5m', '1d', 'm', 'true', '1h 30m'])('refuses %j with the field and the accepted forms', (input) => {
    const err = configErrorOf(() => parseDuration(input, 'agent.containerInactivityTimeout'));
    expect(err.errors[0]!.field).toBe('agent.containerInactivityTimeout');
    expect(err.errors[0]!.hint).toMatch(/300.*90s, 10m, 1h30m/);
  });

  it('refuses negative numbers and non-strings', () => {
    expect(configErrorOf(() => parseDuration(-1, 'f')).errors[0]!.message).toMatch(/negative/);
    configErrorOf(() => parseDuration(true, 'f'));
    configErrorOf(() => parseDuration(Number.NaN, 'f'));
  });

  it('formats seconds back', () => {
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90)).toBe('1m30s');
    expect(formatDuration(0)).toBe('0');
  });
});

describe('validateQuantity', () => {
  it.each(['20Gi', '500M', '1.5', '100m', '1e3', '10', '0', '.5Gi', '1E3', '2Ti'])('accepts %s', (q) => {
    expect(validateQuantity(q, 'f')).toBe(q);
  });
  it('accepts YAML numbers as strings', () => expect(validateQuantity(10, 'f')).toBe('10'));
  it.each(['20GB', 'abc', '', '-1Gi', '20 Gi', '1.2.3', 'Gi'])('refuses %j', (q) => {
    const err = configErrorOf(() => validateQuantity(q, 'agent.kubernetes.persistentVolumeSize'));
    expect(err.errors[0]!.field).toBe('agent.kubernetes.persistentVolumeSize');
  });
  it('suggests the binary unit for 20GB', () => {
    expect(configErrorOf(() => validateQuantity('20GB', 'f')).errors[0]!.message).toMatch(/write 20Gi/);
  });
});

describe('parseResources', () => {
  it("reads DevPod's resource string", () => {
    expect(parseResources('requests.cpu=500m, limits.memory=2Gi,limits.nvidia.com/gpu=1', 'f')).toEqual({
      requests: { cpu: '500m' },
      limits: { memory: '2Gi', 'nvidia.com/gpu': '1' },
    });
  });
  it.each(['cpu=1', 'requests.cpu', 'requests.cpu=lots', 'other.cpu=1'])('refuses %s', (s) => {
    configErrorOf(() => parseResources(s, 'f'));
  });
});

describe('names', () => {
  it('knows DNS-1123 labels', () => {
    expect(isDns1123Label('my-ns-1')).toBe(true);
    expect(isDns1123Label('a'.repeat(63))).toBe(true);
    for (const bad of ['a'.repeat(64), 'My-ns', '-a', 'a-', 'a_b', '', 'a.b']) expect(isDns1123Label(bad)).toBe(false);
    expect(isDns1123Label('a'.repeat(33), 32)).toBe(false);
  });
  it('asserts labels with the field named', () => {
    expect(assertDns1123Label('ok', 'name')).toBe('ok');
    expect(configErrorOf(() => assertDns1123Label('Not_OK', 'name')).errors[0]!.field).toBe('name');
    expect(configErrorOf(() => assertDns1123Label('a'.repeat(40), 'name', 32)).errors[0]!.message).toMatch(/longer than 32/);
  });
  it('matches option names', () => {
    expect(OPTION_NAME.test('DOCKER_HOST_2')).toBe(true);
    expect(OPTION_NAME.test('docker_host')).toBe(false);
    expect(OPTION_NAME.test('DOCKER-HOST')).toBe(false);
  });
  it("reads DevPod's k=v,k2=v2 maps", () => {
    expect(parseKeyValueList('a=1, b=x=y,,c')).toEqual({ a: '1', b: 'x=y', c: '' });
  });
});
