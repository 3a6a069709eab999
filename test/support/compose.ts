import { expect } from 'vitest';
import { pollUntil } from './wait';

type Call = (method: string, path: string, json?: unknown) => Promise<{ status: number; body: any }>;

/** A workspace as the compose tests read it. */
export interface SettledWorkspace { id: string; status: string; statusReason?: string }

/**
 * The API steps the compose tests share, for one caller: exec a shell command, wait for a status,
 * and create a workspace from a git repository on `provider` (default `compose`), waiting for Running or Error.
 */
export function composeApi(as: Call, provider = 'compose') {
  const sh = async (id: string, command: string) => (await as('POST', `/v1/workspaces/${id}/exec`, { command })).body as { exitCode: number; stdout: string; stderr: string };
  const settled = async (id: string, want = ['Running', 'Error']): Promise<SettledWorkspace> =>
    (await pollUntil(() => as('GET', `/v1/workspaces/${id}`), (r) => want.includes(r.body.status), 120_000, 1000)).body;
  const up = async (name: string, url: string) => {
    const r = await as('POST', '/v1/workspaces?wait=25', { provider, name, source: { git: { url } } });
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(300);
    return settled(r.body.id);
  };
  return { sh, settled, up };
}

/**
 * The compose file both Compose suites run (Docker and Podman): an `app` built from the repository's
 * Dockerfile, bound to the repository root, waiting for a `db` whose healthcheck is an HTTP GET; `db`
 * keeps a seed in a named volume (so stop/start keeps data) and answers as `db` and `database`.
 */
export function appWithDb(image: string, appEnvironment: Record<string, string> = {}): string {
  const env = Object.entries(appEnvironment).map(([k, v]) => `      ${k}: "${v}"\n`).join('');
  return `services:
  app:
    build:
      context: .
      dockerfile: Dockerfile
${env ? `    environment:\n${env}` : ''}    volumes:
      - ..:/workspaces/app
    depends_on:
      db:
        condition: service_healthy
  db:
    image: ${image}
    command: ["sh", "-c", "mkdir -p /www && cat /data/seed 2>/dev/null > /www/index.html; echo db-ok >> /www/index.html; echo seeded > /data/seed; exec httpd -f -p 5432 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:5432/"]
      interval: 1s
      timeout: 2s
      retries: 30
    networks:
      default:
        aliases: [database]
    volumes:
      - db-data:/data
volumes:
  db-data: {}
`;
}
