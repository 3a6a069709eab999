import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../lib/config';
import { effectiveTimeout } from '../../lib/workspaces';

const provider = (yaml: string) => loadProvider(yaml);

describe('effective inactivity timeout', () => {
  it('defaults to the provider, shown with its source', () => {
    expect(effectiveTimeout(provider('name: p\ncontainerInactivityTimeout: 300\n'), undefined)).toEqual({ seconds: 300, source: 'provider' });
  });

  it('a workspace may shorten it; longer than the provider (its maximum) or never is refused', () => {
    const p = provider('name: p\ncontainerInactivityTimeout: 10m\n');
    expect(effectiveTimeout(p, '90s')).toEqual({ seconds: 90, source: 'workspace' });
    expect(effectiveTimeout(p, 120)).toEqual({ seconds: 120, source: 'workspace' });
    expect(() => effectiveTimeout(p, '1h')).toThrow(/maximum of 600 s/);
    expect(() => effectiveTimeout(p, 0)).toThrow(/maximum of 600 s/);
    expect(() => effectiveTimeout(p, 'soon')).toThrow(/inactivityTimeout/);
  });

  it('MAX_INACTIVITY_TIMEOUT lets workspaces go longer than the default, up to it', () => {
    const p = provider('name: p\noptions:\n  MAX_INACTIVITY_TIMEOUT:\n    default: 4h\nagent:\n  containerInactivityTimeout: 30m\n');
    expect(effectiveTimeout(p, undefined).seconds).toBe(1800);
    expect(effectiveTimeout(p, '3h')).toEqual({ seconds: 10800, source: 'workspace' });
    expect(() => effectiveTimeout(p, '5h')).toThrow(/maximum of 14400 s/);
  });

  it('a provider that never times out accepts any override, including never', () => {
    const p = provider('name: p\ncontainerInactivityTimeout: 0\n');
    expect(effectiveTimeout(p, '2h').seconds).toBe(7200);
    expect(effectiveTimeout(p, 0)).toEqual({ seconds: 0, source: 'workspace' });
  });
});
