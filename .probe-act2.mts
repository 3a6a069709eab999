import Docker from 'dockerode';
import { startPodman } from './test/support/podman.ts';
import { DockerDriver } from './lib/drivers/docker/index.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
const d = new DockerDriver({ host: p.host, cliPath: 'podman', install: false, helper: { image: 'x', network: 'host' } });
const out: Record<string, number> = {};
for (let i = 0; i < 30; i++) {
  const w = { id: `01JACT${String(i).padStart(20, '0')}`, name: `a${i}`, owner: 'o', source: { image: 'workbay-test/busybox:local' }, devcontainer: JSON.stringify({ image: 'workbay-test/busybox:local' }), env: {} };
  const obs = await d.create(w as any, () => {});
  const c = p.client.getContainer(obs.ref.containerId);
  let k: string;
  try {
    const s: any = await c.getArchive({ path: '/tmp/devpod.activity' });
    const chunks: Buffer[] = []; for await (const ch of s) chunks.push(ch);
    const b = Buffer.concat(chunks);
    k = `ok len=${b.length}`;
    if (b.length < 1536) console.log(i, JSON.stringify(b.toString('latin1').slice(0, 300)));
  } catch (e: any) { k = `err ${e.statusCode} ${String(e.message).slice(0, 160)}`; }
  out[k] = (out[k] ?? 0) + 1;
  await d.delete(w as any).catch(() => {});
}
console.log(out);
await p.close();
