import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One system part the suites need: how to tell it is there, the Debian package and why it is needed. */
export interface SystemPart {
  /** A command on PATH or an absolute file path whose presence means the part is installed. */
  probe: string;
  /** The Debian package that provides it. */
  pkg: string;
  why: string;
}

/** Everything the engine-backed suites use; add a line here when a suite needs a new real part. */
export const SYSTEM_PARTS: SystemPart[] = [
  { probe: 'dockerd', pkg: 'docker.io', why: 'the private test Docker engine' },
  { probe: '/bin/busybox', pkg: 'busybox-static', why: 'local test images (no registry here)' },
  { probe: 'git', pkg: 'git', why: 'git sources and the test git server' },
  { probe: 'openssl', pkg: 'openssl', why: 'TLS certificates of the TLS engine tests' },
  { probe: 'kubectl', pkg: 'kubernetes-client', why: 'kubectl as a witness against kube-sim' },
  { probe: 'docker-registry', pkg: 'docker-registry', why: 'a local registry for image pulls' },
  { probe: '/usr/lib/python3/dist-packages/kubernetes/__init__.py', pkg: 'python3-kubernetes', why: "the official Python client as kube-sim's second witness" },
  { probe: 'java', pkg: 'openjdk-17-jre-headless', why: "Amazon's DynamoDB Local (the store contract and real stream records)" },
  { probe: 'podman', pkg: 'podman', why: "the driver contract on Podman's Docker-compatible API" },
  { probe: '/usr/lib/cni/dnsname', pkg: 'golang-github-containernetworking-plugin-dnsname', why: 'service names on Podman networks (compose-podman)' },
  { probe: '/usr/sbin/sshd', pkg: 'openssh-server', why: 'ssh:// engines: a private sshd on 127.0.0.1 in front of a dockerd' },
  { probe: 'ssh-keygen', pkg: 'openssh-client', why: 'test-only host and client keys for the ssh:// engine tests' },
  { probe: 'chromium', pkg: 'chromium', why: 'the portal browser tests' },
  { probe: 'docker-compose', pkg: 'docker-compose', why: 'the Compose CLI as a witness of compose workspaces (docker-compose ps)' },
];

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const present = (p: SystemPart) => (p.probe.startsWith('/') ? existsSync(p.probe) : onPath(p.probe));

/** The parts that are not installed. */
export function missingParts(parts: SystemPart[] = SYSTEM_PARTS): SystemPart[] {
  return parts.filter((p) => !present(p));
}

function apt(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, encoding: 'utf8', timeout: 900_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-4000) };
}

/**
 * Makes sure the system parts are installed before the suites run (`npm test` on a fresh machine):
 * as root on Debian it installs what is missing with apt-get, once and quietly; anywhere else it
 * stops with the exact packages to install. Costs one `command -v` per part when all are present.
 */
export function provisionSystemParts(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`), parts: SystemPart[] = SYSTEM_PARTS): void {
  const missing = missingParts(parts);
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  const list = missing.map((p) => `${p.pkg} (${p.why})`).join(', ');
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/etc/debian_version') || !onPath('apt-get')) {
    throw new Error(`the tests need these system packages: ${list}. Install them (Debian: sudo apt-get install -y ${pkgs.join(' ')}) and rerun.`);
  }
  log(`== npm test: installing system packages the tests need: ${list}`);
  let r = apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  if (!r.ok) {
    apt(['update', '-qq']);
    r = apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]);
  }
  const still = missingParts(missing);
  if (!r.ok || still.length) {
    throw new Error(`apt-get install ${pkgs.join(' ')} failed (still missing: ${still.map((p) => p.pkg).join(', ') || 'none'}):\n${r.output}`);
  }
}
