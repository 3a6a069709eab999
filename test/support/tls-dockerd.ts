import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';

/** A second real dockerd that only accepts TLS clients on tcp://127.0.0.1. */
export interface TlsEngine {
  host: string;
  /** ca.pem, cert.pem, key.pem of a client the engine trusts (DOCKER_CERT_PATH layout). */
  goodCertDir: string;
  /** The same layout, signed by a CA the engine does not trust. */
  rogueCertDir: string;
  client: Docker;
  close(): Promise<void>;
}

const openssl = (cwd: string, ...args: string[]) => execFileSync('openssl', args, { cwd, stdio: 'ignore' });

function makeCa(dir: string, name: string) {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`);
}

function sign(dir: string, ca: string, name: string, ext: string) {
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}-ca.pem`, '-CAkey', `${ca}-ca.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

/** A DOCKER_CERT_PATH-style dir: the engine's CA (so the client trusts the server) and a client pair. */
function certDir(base: string, into: string, client: string) {
  const d = join(base, into);
  mkdirSync(d);
  writeFileSync(join(d, 'ca.pem'), readFileSync(join(base, 'good-ca.pem')));
  writeFileSync(join(d, 'cert.pem'), readFileSync(join(base, `${client}.pem`)));
  writeFileSync(join(d, 'key.pem'), readFileSync(join(base, `${client}.key`)));
  return d;
}

/** Starts the TLS engine on `port` and copies `images` into it from `source`. */
export async function startTlsEngine(port: number, source: Docker, images: string[]): Promise<TlsEngine> {
  const base = mkdtempSync(join(tmpdir(), 'workbay-tls-'));
  makeCa(base, 'good');
  makeCa(base, 'rogue');
  sign(base, 'good', 'server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign(base, 'good', 'client', 'extendedKeyUsage=clientAuth\n');
  sign(base, 'rogue', 'intruder', 'extendedKeyUsage=clientAuth\n');
  const goodCertDir = certDir(base, 'good-client', 'client');
  const rogueCertDir = certDir(base, 'rogue-client', 'intruder');
  const run = join(base, 'run');
  mkdirSync(run);
  const child: ChildProcess = spawn('dockerd', [
    '--host', `tcp://127.0.0.1:${port}`, '--tlsverify', `--tlscacert=${join(base, 'good-ca.pem')}`,
    `--tlscert=${join(base, 'server.pem')}`, `--tlskey=${join(base, 'server.key')}`,
    '--data-root', join(run, 'data'), '--exec-root', join(run, 'exec'), '--pidfile', join(run, 'dockerd.pid'),
    '--bridge=none', '--iptables=false', '--ip6tables=false',
  ], { stdio: 'ignore', detached: true });
  const host = `tcp://127.0.0.1:${port}`;
  const client = new Docker({ host: '127.0.0.1', port, protocol: 'https', ca: readFileSync(join(goodCertDir, 'ca.pem')), cert: readFileSync(join(goodCertDir, 'cert.pem')), key: readFileSync(join(goodCertDir, 'key.pem')) });
  for (let i = 0; ; i++) {
    if (await client.ping().then(() => true, () => false)) break;
    if (i > 120) throw new Error('TLS dockerd did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const image of images) {
    const tarball = await source.getImage(image).get();
    const loading = await client.loadImage(tarball as never);
    await new Promise((resolve, reject) => client.modem.followProgress(loading as never, (err: unknown) => (err ? reject(err) : resolve(undefined))));
  }
  return {
    host, goodCertDir, rogueCertDir, client,
    close: async () => {
      for (const c of await client.listContainers({ all: true }).catch(() => [])) await client.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined);
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      rmSync(base, { recursive: true, force: true });
    },
  };
}
