import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('one stop path', () => {
  it('the sweeper calls no driver verb but reading activity: the reconciler stops', () => {
    const src = readFileSync(new URL('../../lib/workspaces/sweeper.ts', import.meta.url), 'utf8');
    const verbs = new Set([...src.matchAll(/\bdriver\??\.(\w+)/g)].map((m) => m[1]));
    expect([...verbs].sort()).toEqual(['close', 'lastActivity']);
    expect(src).not.toMatch(/\.(stop|delete|create|start|exec)\(driverWorkspace/);
  });
});
