import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A `git daemon` on 127.0.0.1 serving repositories made from file maps. */
export interface GitServer {
  /** Creates a repository with these files (or `{ link }` symlinks) committed; returns its git:// URL. */
  repo(name: string, files: Record<string, string | { link: string }>): string;
  /** The commit a repository's HEAD points at. */
  commitOf(url: string): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts git daemon on a free loopback port. */
export async function startGitServer(): Promise<GitServer> {
  const base = mkdtempSync(join(tmpdir(), 'workbay-git-'));
  const port = await freePort();
  const child: ChildProcess = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => { sock.end(); resolve(true); });
      sock.on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
  return {
    repo(name, files) {
      const work = join(base, `${name}-work`);
      mkdirSync(work, { recursive: true });
      git(work, 'init', '-q', '-b', 'main');
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        if (typeof content === 'string') writeFileSync(join(work, path), content);
        else symlinkSync(content.link, join(work, path));
      }
      git(work, 'add', '-A');
      git(work, 'commit', '-q', '-m', 'init');
      git(base, 'clone', '-q', '--bare', work, `${name}.git`);
      return `git://127.0.0.1:${port}/${name}.git`;
    },
    commitOf(url) {
      const name = url.split('/').pop()!;
      return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: join(base, name), encoding: 'utf8' }).trim();
    },
    close: async () => {
      child.kill('SIGTERM');
      rmSync(base, { recursive: true, force: true });
    },
  };
}
