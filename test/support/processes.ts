import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A started `npm start` with what it printed so far. */
export interface Started { child: ChildProcess; url: string; stdout: () => string; stop(): Promise<number | null> }

/** Runs the README's start command (`npm start`) and waits until it says where it listens. */
export async function npmStart(env: Record<string, string>): Promise<Started> {
  // Own process group: npm, tsx and node all get the signal, as with Ctrl-C in a terminal.
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up: ${out} ${err}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(m[1]!); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`npm start exited ${code}: ${out} ${err}`)); });
  });
  return {
    child, url, stdout: () => out,
    stop: () => new Promise((resolve) => {
      // npm may exit before the server it started has closed: wait for the whole process group.
      const groupGone = async () => {
        for (let i = 0; i < 200; i++) {
          try { process.kill(-child.pid!, 0); } catch { return; }
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      if (child.exitCode !== null) return void groupGone().then(() => resolve(child.exitCode));
      child.once('exit', (code) => void groupGone().then(() => resolve(code)));
      process.kill(-child.pid!, 'SIGTERM');
    }),
  };
}

/** Runs the `workbay` CLI and collects its output and exit code. */
export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`${ROOT}cli/workbay.mjs`, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
