import { execFile, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { MARKER_DIR, NO_MARKER_DIR, ONCE } from '../../../lib/drivers/lifecycle';

// The script runs in the workspace with a real POSIX shell; here the host's, with the marker
// directory moved to a temporary one so the host's /var is not touched.
const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function scratch() {
  const root = mkdtempSync(join(tmpdir(), 'workbay-once-'));
  dirs.push(root);
  return { root, markers: join(root, 'markers'), log: join(root, 'hook.log'), script: ONCE.replace(MARKER_DIR, join(root, 'markers')) };
}

// A run that never ends is killed, so a broken lock fails the test instead of leaving shells behind.
function run(script: string, stamp: string, argv: string[]): Promise<{ code: number; stderr: string }> {
  return promisify(execFile)('/bin/sh', ['-c', script, 'workbay-once', 'postCreateCommand', stamp, ...argv], { timeout: 20_000 })
    .then(() => ({ code: 0, stderr: '' }), (e: { code?: unknown; stderr?: string }) => ({ code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr?.trim() ?? '' }));
}

const runOnce = async (script: string, command: string, stamp = 'c1') => (await run(script, stamp, ['/bin/sh', '-c', command])).code;

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

describe('the run-once wrapper of create hooks', () => {
  it('a second run that starts while the first holds the lock waits for it and does not run the hook again', async () => {
    const s = scratch();
    // Several tries, so the old run finishes during the waiter's sleep between lock attempts at least once.
    for (let i = 0; i < 5; i++) {
      const stamp = `c${i}`;
      const first = runOnce(s.script, `sleep 0.5; echo ran >> ${s.log}`, stamp);
      await new Promise((r) => setTimeout(r, 150));
      const second = runOnce(s.script, `echo ran >> ${s.log}`, stamp);
      expect(await Promise.all([first, second])).toEqual([0, 0]);
      expect(lines(s.log)).toBe(i + 1);
    }
    expect(existsSync(join(s.markers, 'postCreateCommand.lock'))).toBe(false);
  });

  it('a failed run writes no marker, so the next one runs the hook again; a new stamp runs it again too', async () => {
    const s = scratch();
    expect(await runOnce(s.script, `echo ran >> ${s.log}; exit 3`)).toBe(3);
    expect(await runOnce(s.script, `echo ran >> ${s.log}`)).toBe(0);
    expect(await runOnce(s.script, `echo ran >> ${s.log}`)).toBe(0);
    expect(lines(s.log)).toBe(2);
    expect(await runOnce(s.script, `echo ran >> ${s.log}`, 'c2')).toBe(0);
    expect(lines(s.log)).toBe(3);
  });

  it('the lock names its holder from the moment it exists: a link to the running shell\'s pid, gone afterwards', async () => {
    const s = scratch();
    const holder = runOnce(s.script, `sleep 0.6; echo ran >> ${s.log}`);
    const lock = join(s.markers, 'postCreateCommand.lock');
    for (let i = 0; i < 50 && !existsSync(s.markers); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
    expect(lstatSync(lock).isSymbolicLink()).toBe(true);
    expect(existsSync(`/proc/${readlinkSync(lock)}`)).toBe(true);
    expect(await holder).toBe(0);
    expect(() => lstatSync(lock)).toThrow(/ENOENT/);
  });

  it('a lock whose holder is gone (a container restarted mid-hook) is taken over, as is one an earlier version left', async () => {
    const s = scratch();
    for (const [i, form] of (['link', 'directory'] as const).entries()) {
      const dead = spawn('/bin/true');
      await new Promise((r) => dead.once('exit', r));
      const lock = join(s.markers, 'postCreateCommand.lock');
      mkdirSync(s.markers, { recursive: true });
      if (form === 'link') symlinkSync(String(dead.pid), lock);
      else { mkdirSync(lock); writeFileSync(join(lock, 'pid'), String(dead.pid)); }
      expect({ form, code: await runOnce(s.script, `echo ran >> ${s.log}`, `c${i}`) }).toEqual({ form, code: 0 });
      expect(lines(s.log)).toBe(i + 1);
      expect(() => lstatSync(lock)).toThrow(/ENOENT/);
    }
  });

  it('a live lock an earlier version made (a directory) is waited for, not run beside', async () => {
    const s = scratch();
    const lock = join(s.markers, 'postCreateCommand.lock');
    mkdirSync(lock, { recursive: true });
    const sleeper = spawn('/bin/sleep', ['0.8']);
    writeFileSync(join(lock, 'pid'), String(sleeper.pid));
    const waiter = runOnce(s.script, `echo ran >> ${s.log}`);
    await new Promise((r) => setTimeout(r, 400));
    expect(lines(s.log)).toBe(0);
    await new Promise((r) => sleeper.once('exit', r));
    expect(await waiter).toBe(0);
    expect(lines(s.log)).toBe(1);
  });

  it('a waiter whose marker directory is removed stops waiting and says the directory is missing', async () => {
    const s = scratch();
    const holder = runOnce(s.script, `sleep 0.6; rm -rf ${s.markers}; echo ran >> ${s.log}`);
    await new Promise((r) => setTimeout(r, 150));
    expect(await run(s.script, 'c1', ['/bin/true'])).toEqual({ code: NO_MARKER_DIR.exitCode, stderr: NO_MARKER_DIR.stderr });
    await holder;
  });

  it('several waiters on a dead holder\'s lock: exactly one of them runs the hook', async () => {
    const s = scratch();
    for (let i = 0; i < 3; i++) {
      const dead = spawn('/bin/true');
      await new Promise((r) => dead.once('exit', r));
      mkdirSync(s.markers, { recursive: true });
      symlinkSync(String(dead.pid), join(s.markers, 'postCreateCommand.lock'));
      const runs = Array.from({ length: 4 }, () => runOnce(s.script, `sleep 0.3; echo ran >> ${s.log}`, `c${i}`));
      expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
      expect(lines(s.log)).toBe(i + 1);
    }
  });
});
