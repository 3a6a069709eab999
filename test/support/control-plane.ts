import { mkdtempSync, rmSync } from 'node:fs';
import { inject } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded, type Embedded } from '../../lib/embedded';
import { generateToken } from '../../lib/api';

/** An embedded control plane on a free loopback port with its own data dir, for one test file. */
export interface TestControlPlane extends Embedded {
  adminToken: string;
  dataDir: string;
  /** fetch against the API with a token (admin by default). */
  call(method: string, path: string, opts?: { token?: string | null; json?: unknown; yaml?: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  /** Issues a user (or admin) token for `owner`. */
  tokenFor(owner: string, role?: 'admin' | 'user'): Promise<string>;
  /** Waits until no workspace has work in flight (so a table snapshot is stable). */
  settle(timeoutMs?: number): Promise<void>;
  /** Stops the server and removes the data dir. */
  dispose(): Promise<void>;
}

/** Starts an embedded control plane for tests. */
export interface ControlPlaneOptions {
  dataDir?: string;
  adminToken?: string;
  log?: (e: Record<string, unknown>) => void;
  env?: Record<string, string>;
  /** Embedded sweep timer; tests default to an hour so sweeps happen when they ask (POST /v1/sweeps). */
  sweepIntervalSeconds?: number;
  idleWarningSeconds?: number;
  /** Embedded drift resync timer; tests default to an hour unless they test drift. */
  resyncIntervalSeconds?: number;
  /** Default kubeconfig for Kubernetes providers with an empty `config`. */
  kubeconfig?: string;
  /** Bound on one Kubernetes API call. */
  kubeTimeoutSeconds?: number;
}

export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<TestControlPlane> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'workbay-test-'));
  const adminToken = opts.adminToken ?? generateToken();
  const wb = await startEmbedded({
    port: 0, host: '127.0.0.1', dataDir, adminToken, table: 'workbay',
    dockerHost: inject('dockerHost'), helperImage: 'workbay-test/git:local', helperNetwork: 'host', reconcileIntervalSeconds: 1, retryBaseMs: 200,
    sweepIntervalSeconds: opts.sweepIntervalSeconds ?? 3600, resyncIntervalSeconds: opts.resyncIntervalSeconds ?? 3600, collectIntervalSeconds: 3600, idleWarningSeconds: opts.idleWarningSeconds ?? 60, kubeconfig: opts.kubeconfig, kubeTimeoutSeconds: opts.kubeTimeoutSeconds,
  }, opts.log, opts.env ?? {});
  const call: TestControlPlane['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? adminToken : o.token;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = o.body;
    if (o.json !== undefined) { headers['content-type'] ??= 'application/json'; body = JSON.stringify(o.json); }
    if (o.yaml !== undefined) { headers['content-type'] ??= 'application/yaml'; body = o.yaml; }
    const res = await fetch(`${wb.url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...wb, adminToken, dataDir, call,
    tokenFor: async (owner, role = 'user') => {
      const r = await call('POST', '/v1/tokens', { json: { owner, role } });
      if (r.status !== 201) throw new Error(`token issue failed: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token as string;
    },
    settle: async (timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      while ((await wb.store.workspaces.listWork()).length && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 300));
    },
    dispose: async () => {
      await wb.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
