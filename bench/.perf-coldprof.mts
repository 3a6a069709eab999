import { spawn } from 'node:child_process';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ulid } from 'ulid';
import { startHarness } from '../test/bundle/harness';
import { httpEvent } from '../test/bundle/events';
import { ProviderService } from '../lib/providers';
const h = await startHarness({ env: { WORKBAY_DEFAULT_DOCKER_HOST: 'unix:///tmp/workbay-test-dockerd/docker.sock' } });
await new ProviderService(h.store).add('name: local-docker\n');
const now = new Date().toISOString();
const ws: any = { id: ulid(), name: 'bench-x', owner: 'admin', provider: 'local-docker', driver: 'docker', source: { image: 'x' }, options: {}, env: {}, desiredState: 'Running', status: 'Running', inactivityTimeoutSeconds: 0, inactivityTimeoutSource: 'provider', version: 1, createdAt: now, updatedAt: now };
await h.store.workspaces.create(ws);
const ev = httpEvent('GET', `/v1/workspaces/${ws.id}`, { token: h.adminToken });
const runner = `
const t0 = performance.now();
const mod = await import(process.env.B);
const t1 = performance.now();
const r = await mod.handler(JSON.parse(process.env.EV), { awsRequestId: 'r', getRemainingTimeInMillis: () => 60000 });
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, at: t2, status: r.statusCode }));
process.exit(0);`;
for (let i = 0; i < 3; i++) {
  const out: any = await new Promise((res) => { const c = spawn(process.execPath, [...(i === 2 ? ['--cpu-prof', '--cpu-prof-dir=/tmp/perf-cpuprof'] : []), '--input-type=module', '-e', runner], { env: { PATH: process.env.PATH!, ...h.env, B: pathToFileURL(join(h.outDir, 'api', 'index.mjs')).href, EV: JSON.stringify(ev) } }); let o = '', e = ''; c.stdout.on('data', (d) => o += d); c.stderr.on('data', (d) => e += d); c.on('exit', (status) => res({ status, stdout: o, stderr: e })); });
  console.log('RUN', i, out.status, out.error, out.stdout.trim(), out.stderr.slice(0, 600));
}
await h.close();
process.exit(0);
