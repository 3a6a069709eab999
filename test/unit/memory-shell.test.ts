import { describe, expect, it } from 'vitest';
import { runInMemory, type MemoryFile } from '../support/memory-shell';

const ctx = () => ({ files: new Map<string, MemoryFile>(), env: { NAME: 'ws' }, cwd: '/workspaces/ws' });
const sh = (script: string, c = ctx()) => runInMemory(['/bin/sh', '-c', script, 'sh', 'first'], c);

describe('the in-memory engine\'s tiny shell', () => {
  it('runs what the driver contract and simple hooks use: lists, quotes, variables, redirections', async () => {
    const c = ctx();
    expect(await sh('echo "hi $NAME|${NAME}" \'$NAME\' $1; echo err >&2; false || echo "rc=$?"; true && exit 7', c))
      .toEqual({ exitCode: 7, stdout: 'hi ws|ws $NAME first\nrc=1\n', stderr: 'err\n' });
    await sh('echo one > f.log; echo two >> f.log; cat missing 2>/dev/null || echo gone >> f.log', c);
    expect(c.files.get('/workspaces/ws/f.log')?.content).toBe('one\ntwo\ngone\n');
    await sh('echo fresh > f.log', c);
    expect((await runInMemory(['cat', 'f.log'], c)).stdout).toBe('fresh\n');
  });

  it('refuses what it cannot run instead of pretending: unsupported syntax is exit 2, unknown commands 127', async () => {
    const pipe = await sh('echo a | wc -l');
    expect(pipe.exitCode).toBe(2);
    expect(pipe.stderr).toMatch(/\| is not supported/);
    expect((await sh('echo $(id -u)')).exitCode).toBe(2);
    expect(await runInMemory(['apt-get', 'install', 'x'], ctx())).toMatchObject({ exitCode: 127, stderr: 'sh: apt-get: not found\n' });
    expect((await sh('X=1')).exitCode).toBe(127);
  });

  it('a run past its timeout is killed with exit code 124, as the real drivers report it', async () => {
    const r = await runInMemory(['/bin/sh', '-c', 'echo before; sleep 5; echo after'], { ...ctx(), timeoutMs: 50 });
    expect(r).toMatchObject({ exitCode: 124, stdout: 'before\n', timedOut: true });
    expect(r.stderr).toContain('killed after 50 ms');
  });
});
