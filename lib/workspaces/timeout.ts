import type { ResolvedProvider } from '../config';
import { parseDuration } from '../config/duration';
import { WorkbayError } from '../errors';

/** The provider option that caps per-workspace timeouts (a duration); without it the provider's own timeout is the cap. */
export const MAX_TIMEOUT_OPTION = 'MAX_INACTIVITY_TIMEOUT';

/** The effective inactivity timeout of a workspace and where it came from. */
export interface EffectiveTimeout {
  seconds: number;
  source: 'provider' | 'workspace';
}

/**
 * Applies a per-workspace override within the provider's maximum. 0 means never, which counts as
 * longer than any finite maximum.
 */
export function effectiveTimeout(provider: ResolvedProvider, override: unknown): EffectiveTimeout {
  const base = provider.agent.containerInactivityTimeoutSeconds;
  if (override === undefined || override === null) return { seconds: base, source: 'provider' };
  const seconds = parseDuration(override, 'inactivityTimeout');
  const maxRaw = provider.values[MAX_TIMEOUT_OPTION];
  const max = maxRaw !== undefined && maxRaw !== '' ? parseDuration(maxRaw, `options.${MAX_TIMEOUT_OPTION}`) : base;
  if (max > 0 && (seconds === 0 || seconds > max)) {
    throw new WorkbayError('request.invalid', `inactivityTimeout exceeds the provider's maximum of ${max} s`, {
      errors: [{ field: 'body.inactivityTimeout', message: `must be between 1 and ${max} seconds for provider "${provider.definition.name}"` }],
    });
  }
  return { seconds, source: 'workspace' };
}
