import { z } from 'zod';

/** Shown instead of a secret value, everywhere. */
export const MASK = '********';

const d = (description: string) => ({ description });

/** One option as shown: its definition (DevPod's keys, kept as written) plus the effective value. */
export const OptionViewSchema = z.object({
  name: z.string(),
  value: z.string().optional().meta(d('the effective value (masked for password options); absent when unset')),
  source: z.enum(['set', 'default', 'unset']),
}).catchall(z.unknown());

/**
 * A provider as the API shows it, written once: `lib/api` names it `Provider` in the OpenAPI
 * document, `providerView` returns its type. Plain zod so the domain loads nothing of the HTTP layer.
 */
export const ProviderViewSchema = z.object({
  name: z.string(), version: z.string().optional(), description: z.string().optional(),
  driver: z.enum(['docker', 'kubernetes']),
  inactivityTimeoutSeconds: z.union([z.number().int(), z.literal(MASK)]).meta(d('0 = never; masked when a password option sets it')),
  agent: z.record(z.string(), z.unknown()).meta(d('resolved agent configuration, secrets masked')),
  options: z.array(OptionViewSchema),
  exec: z.record(z.string(), z.unknown()).meta(d('stored and shown, never run by the control plane')),
  policy: z.record(z.string(), z.unknown()).optional().meta(d('what users may ask for (workbay.policy with defaults); see docs/security.md')),
  warnings: z.array(z.string()),
  createdAt: z.string(), updatedAt: z.string(),
});

/** A provider as the API shows it (GET /v1/providers/{name}). */
export type ProviderView = z.infer<typeof ProviderViewSchema>;
/** One option of a provider view. */
export type OptionView = z.infer<typeof OptionViewSchema>;
