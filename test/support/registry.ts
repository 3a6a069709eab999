import { spawn, type ChildProcess } from 'node:child_process';
import bcrypt from 'bcryptjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's docker-registry on 127.0.0.1, for push and prebuild tests. */
export interface Registry {
  host: string;
  /** `authorization` header value for a registry started with `auth` (Basic), else undefined. */
  authorization?: string;
  close(): Promise<void>;
}

/** Options of startRegistry. */
export interface RegistryOptions {
  /** Requires this user for every request (htpasswd with a bcrypt hash, as the registry needs). */
  auth?: { username: string; password: string };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts a registry with storage in a temp dir; fails loudly when docker-registry is not installed. */
export async function startRegistry(opts: RegistryOptions = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'workbay-registry-'));
  const port = await freePort();
  let auth = '';
  if (opts.auth) {
    writeFileSync(join(dir, 'htpasswd'), `${opts.auth.username}:${bcrypt.hashSync(opts.auth.password, 8)}\n`);
    auth = `auth:\n  htpasswd:\n    realm: workbay-test\n    path: ${dir}/htpasswd\n`;
  }
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`docker-registry could not start (apt-get install docker-registry): ${e.message}`))));
  for (let i = 0; i < 100; i++) {
    // With auth, an unauthenticated /v2/ answers 401: that is up too.
    const up = await Promise.race([fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok || (!!opts.auth && r.status === 401), () => false), failed]);
    if (up) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: `127.0.0.1:${port}`,
    ...(opts.auth ? { authorization: `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}` } : {}),
    close: async () => {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
