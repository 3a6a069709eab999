/**
 * The embedded server's own memory: `npm start`'s process (node with tsx's loader on
 * functions/local.ts) started alone on a data dir that already holds the fleet, so the figure is
 * the server's and not the benchmark process's, which also runs load generators, floors and the
 * benchmarks before it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ROOT } from '../infra/build';

/** What to start the server with; `settle` ms of its ordinary life pass before the reading. */
export interface ServerRssOptions { dataDir: string; adminToken: string; dockerHost: string; paths: string[]; settle?: number }

/** VmRSS of a process in bytes, from /proc (Linux). */
function rssOf(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Starts the server on `dataDir`, GETs each of `paths` (so the answering code is loaded), lets it run
 * `settle` ms (its reconcile, sweep and resync loops included), reads its RSS, then `after(url)` (the
 * caller's clean-up, through the same server) and stops it. Returns the RSS in bytes.
 */
export async function embeddedServerRss(o: ServerRssOptions, after: (url: string) => Promise<void>): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local.ts'], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', WORKBAY_DATA_DIR: o.dataDir, WORKBAY_ADMIN_TOKEN: o.adminToken, DOCKER_HOST: o.dockerHost,
      WORKBAY_HELPER_IMAGE: 'workbay-test/git:local', WORKBAY_HELPER_NETWORK: 'host',
    },
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the embedded server did not come up: ${out.slice(-2000)}`)), 60_000);
      child.stdout!.on('data', () => { const m = /listening on (http:\/\/\S+)/.exec(out); if (m) { clearTimeout(timer); resolve(m[1]!); } });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the embedded server exited ${code}: ${out.slice(-2000)}`)); });
    });
    for (const p of o.paths) {
      const res = await fetch(`${url}${p}`, { headers: { authorization: `Bearer ${o.adminToken}` } });
      if (res.status !== 200) throw new Error(`GET ${p}: ${res.status} ${await res.text()}`);
    }
    await new Promise((r) => setTimeout(r, o.settle ?? 5_000));
    const rss = rssOf(child.pid!);
    await after(url);
    return rss;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
