import { z } from 'zod';
import { parseDuration } from '../config/duration';
import { WorkbayError } from '../errors';

/** How outgoing events are delivered, read once at process start. */
export interface WebhookSettings {
  /** Multiplies every retry delay; 1 on AWS, tests shorten it (WORKBAY_WEBHOOK_RETRY_SCALE). */
  retryScale: number;
  /** Loopback receivers (and plain http to them); embedded mode only (WORKBAY_ALLOW_LOOPBACK_WEBHOOKS). */
  allowLoopback: boolean;
  /** Bound on one delivery attempt (WORKBAY_WEBHOOK_TIMEOUT). */
  timeoutMs: number;
  /** An endpoint failing without a success for this long is disabled (WORKBAY_WEBHOOK_DISABLE_AFTER). */
  disableAfterSeconds: number;
  /** How often embedded mode dispatches (WORKBAY_WEBHOOK_INTERVAL). */
  intervalSeconds: number;
  /** Attempts in flight at once per process. */
  concurrency: number;
}

/** The strict defaults: what AWS always runs with, and embedded mode without settings. */
export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  retryScale: 1, allowLoopback: false, timeoutMs: 10_000, disableAfterSeconds: 5 * 24 * 3600, intervalSeconds: 1, concurrency: 8,
};

const Env = z.object({
  WORKBAY_WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(1).optional(),
  WORKBAY_ALLOW_LOOPBACK_WEBHOOKS: z.enum(['true', 'false']).optional(),
  WORKBAY_WEBHOOK_TIMEOUT: z.string().optional(),
  WORKBAY_WEBHOOK_DISABLE_AFTER: z.string().optional(),
  WORKBAY_WEBHOOK_INTERVAL: z.string().optional(),
});

/**
 * Reads the webhook settings. On AWS only the timeout and the disable window may be changed: the
 * retry schedule is the spec's and receivers must be public.
 */
export function readWebhookSettings(env: Record<string, string | undefined>, mode: 'embedded' | 'aws'): WebhookSettings {
  const clean = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('WORKBAY_') && v !== undefined && v !== ''));
  const r = Env.safeParse(clean);
  if (!r.success) {
    const errors = r.error.issues.map((i) => ({ field: i.path.join('.') || 'environment', message: i.message }));
    throw new WorkbayError('config.invalid', `invalid environment: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
  const s = r.data;
  const d = DEFAULT_WEBHOOK_SETTINGS;
  const timeout = s.WORKBAY_WEBHOOK_TIMEOUT ? parseDuration(s.WORKBAY_WEBHOOK_TIMEOUT, 'WORKBAY_WEBHOOK_TIMEOUT') : 0;
  const disable = s.WORKBAY_WEBHOOK_DISABLE_AFTER ? parseDuration(s.WORKBAY_WEBHOOK_DISABLE_AFTER, 'WORKBAY_WEBHOOK_DISABLE_AFTER') : 0;
  const common = { ...d, timeoutMs: timeout ? Math.min(timeout, 30) * 1000 : d.timeoutMs, disableAfterSeconds: disable || d.disableAfterSeconds };
  if (mode === 'aws') return common;
  const interval = s.WORKBAY_WEBHOOK_INTERVAL ? parseDuration(s.WORKBAY_WEBHOOK_INTERVAL, 'WORKBAY_WEBHOOK_INTERVAL') : 0;
  return {
    ...common, retryScale: s.WORKBAY_WEBHOOK_RETRY_SCALE ?? 1, allowLoopback: s.WORKBAY_ALLOW_LOOPBACK_WEBHOOKS === 'true',
    intervalSeconds: interval || d.intervalSeconds,
  };
}
