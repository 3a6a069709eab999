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
