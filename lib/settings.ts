import { z } from 'zod';
import { parseDuration } from './config';
import { WorkbayError } from './errors';

const Settings = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKBAY_DATA_DIR: z.string().min(1).default('.workbay'),
  WORKBAY_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  WORKBAY_TABLE: z.string().min(3).max(255).regex(/^[A-Za-z0-9_.-]+$/).default('workbay'),
  DOCKER_HOST: z.string().regex(/^(unix|tcp|ssh):\/\//, 'must start with unix://, tcp:// or ssh://').default('unix:///var/run/docker.sock'),
  WORKBAY_HELPER_IMAGE: z.string().min(1).default('alpine/git:latest'),
  WORKBAY_HELPER_NETWORK: z.string().min(1).optional(),
  WORKBAY_RECONCILE_INTERVAL: z.string().default('2s'),
  WORKBAY_SWEEP_INTERVAL: z.string().default('10s'),
  WORKBAY_IDLE_WARNING: z.string().default('1m'),
  KUBECONFIG: z.string().optional(),
  HOME: z.string().optional(),
});

/** Process settings of embedded mode, read once at start. */
export interface EmbeddedSettings {
  port: number;
  host: string;
  dataDir: string;
  adminToken?: string;
  table: string;
  /** Engine used by Docker providers that leave DOCKER_HOST empty. */
  dockerHost: string;
  /** Image of helper containers (git clone, file reads); it needs git and sh. */
  helperImage: string;
  /** Network of helper containers (e.g. `host` to reach a git server on loopback). */
  helperNetwork?: string;
  /** How often in-flight work is re-driven, in seconds. */
  reconcileIntervalSeconds: number;
  /** Default kubeconfig for Kubernetes providers with an empty `config` (KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  /** How often embedded mode sweeps for idle workspaces, in seconds. */
  sweepIntervalSeconds: number;
  /** How long before an idle stop the `workspace.idle-warning` event goes out, in seconds. */
  idleWarningSeconds: number;
  /** First retry delay after a retryable failure (not from the environment; tests shorten it). */
  retryBaseMs?: number;
}

/** Parses the environment once; a bad value stops the process with the variable's name. */
export function readSettings(env: Record<string, string | undefined>): EmbeddedSettings {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = Settings.safeParse(clean);
  if (!r.success) {
    const errors = r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    throw new WorkbayError('config.invalid', `invalid environment: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, { errors });
  }
  const s = r.data;
  return {
    port: s.PORT, host: s.HOST, dataDir: s.WORKBAY_DATA_DIR, adminToken: s.WORKBAY_ADMIN_TOKEN, table: s.WORKBAY_TABLE,
    dockerHost: s.DOCKER_HOST, helperImage: s.WORKBAY_HELPER_IMAGE, helperNetwork: s.WORKBAY_HELPER_NETWORK,
    reconcileIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_RECONCILE_INTERVAL, 'WORKBAY_RECONCILE_INTERVAL')),
    sweepIntervalSeconds: Math.max(1, parseDuration(s.WORKBAY_SWEEP_INTERVAL, 'WORKBAY_SWEEP_INTERVAL')),
    idleWarningSeconds: parseDuration(s.WORKBAY_IDLE_WARNING, 'WORKBAY_IDLE_WARNING'),
    kubeconfig: s.KUBECONFIG?.split(':')[0] || (s.HOME ? `${s.HOME}/.kube/config` : undefined),
  };
}
