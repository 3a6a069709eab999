import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../../lib/config';
import { providerView, ProviderViewSchema } from '../../../lib/providers';
import { workspaceView, WorkspaceViewSchema } from '../../../lib/workspaces';
import type { WorkspaceRecord } from '../../../lib/workspaces/model';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every .ts file under a folder of the repository. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(root, rel)).isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

/** `Required`: a field added to the record must be added here, so the leak check below sees it. */
const record: Required<WorkspaceRecord> = {
  id: '01JAAAAAAAAAAAAAAAAAAAAAAA', name: 'ws', owner: 'alice', provider: 'docker', driver: 'docker',
  source: { git: { url: 'git://127.0.0.1/repo.git', ref: 'main' } }, devcontainer: '{}', devcontainerPath: '.devcontainer/devcontainer.json',
  options: { TOKEN: 's3cret', SIZE: '10Gi' }, secretOptions: ['TOKEN'], env: { API_KEY: 'env-secret' },
  desiredState: 'Running', status: 'Running', statusReason: 'ok', stopReason: 'user',
  inactivityTimeoutSeconds: 600, inactivityTimeoutSource: 'provider',
  lastActivityAt: '2026-01-01T00:00:00.000Z', lastActivitySource: 'api', idleDeadline: '2026-01-01T00:10:00.000Z',
  idleWarningFor: '2026-01-01T00:10:00.000Z', retentionSeconds: 3600, retentionSource: 'provider', retentionWarningSeconds: 60,
  retentionWarningFor: '2026-01-01T01:00:00.000Z', maxLifetimeSeconds: 7200, maxLifetimeSource: 'workspace', keep: false,
  startedAt: '2026-01-01T00:00:00.000Z', stoppedAt: '2025-12-31T00:00:00.000Z', deleteReason: 'user', deleteEventId: '01JBBBBBBBBBBBBBBBBBBBBBBB',
  pendingEvents: [{ id: '01JCCCCCCCCCCCCCCCCCCCCCCC', at: '2026-01-01T00:00:00.000Z', type: 'workspace.stopRequested', message: 'idle', data: { token: 's3cret' } }],
  driverRef: { containerId: 'abc' }, leaseOwner: 'worker-1', leaseUntil: '2026-01-01T00:01:00.000Z', idempotencyKey: 'k1',
  attempts: 2, unfinishedPasses: 1, driftRestarts: 1, lastDriftAt: '2026-01-01T00:00:00.000Z', instance: 'inst-1',
  version: 7, createdAt: '2025-12-31T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('one typed API shape', () => {
  it('no `as never` switches off response typing in the API or the CLI', () => {
    const offenders = [...sources('lib/api'), ...sources('cli')]
      .flatMap((f) => readFileSync(join(root, f), 'utf8').split('\n').map((line, i) => ({ f, i, line })))
      .filter(({ line }) => /\bas never\b/.test(line))
      .map(({ f, i, line }) => `${f}:${i + 1}: ${line.trim()}`);
    expect(offenders).toEqual([]);
  });

  it('the CLI imports the response types for their types only: it loads no API or view module', () => {
    const runtime = sources('cli').flatMap((f) => [...readFileSync(join(root, f), 'utf8')
      .matchAll(/^import\s+(?!type\s)[^;]*?from\s+'(\.\.\/lib\/[^']+)'/gm)].map((m) => `${f}: ${m[1]}`));
    expect(runtime.filter((r) => /lib\/api\/|view/.test(r))).toEqual([]);
    // The check sees the type imports it is meant to keep type-only.
    expect(readFileSync(join(root, 'cli/workspace-api.ts'), 'utf8')).toMatch(/^import type \{[^}]*Workspace[^}]*\} from '\.\.\/lib\/api\/schemas'/m);
  });

  it('a workspace view is exactly the documented shape: internals and env values never leave', () => {
    const view = workspaceView(record);
    // strict(): a key the schema does not document (a lease, an attempt counter) fails here.
    expect(() => WorkspaceViewSchema.strict().parse(view)).not.toThrow();
    expect(view).not.toHaveProperty('leaseOwner');
    expect(view).not.toHaveProperty('env');
    expect(view.envKeys).toEqual(['API_KEY']);
    expect(view.options).toEqual({ TOKEN: '********', SIZE: '10Gi' });
    expect(JSON.stringify(view)).not.toMatch(/s3cret|env-secret|worker-1/);
  });

  it('a provider view is exactly the documented shape, its password-fed timeout masked', () => {
    const rec = { name: 'p', yaml: '', optionValues: {}, version: 1, createdAt: 'c', updatedAt: 'u' };
    const plain = providerView(rec, loadProvider('name: p\ncontainerInactivityTimeout: 90s\n'));
    expect(ProviderViewSchema.strict().parse(plain).inactivityTimeoutSeconds).toBe(90);
    const yaml = 'name: p\noptions:\n  T:\n    password: true\n    default: "1234"\ncontainerInactivityTimeout: ${T}\n';
    const masked = providerView(rec, loadProvider(yaml));
    expect(ProviderViewSchema.strict().parse(masked).inactivityTimeoutSeconds).toBe('********');
    expect(JSON.stringify(masked)).not.toContain('1234');
  });
});
