import Docker from 'dockerode';
import { startPodman } from './test/support/podman.ts';
import { DockerDriver } from './lib/drivers/docker/index.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
const d = new DockerDriver({ host: p.host, cliPath: 'podman', install: false, helper: { image: 'x', network: 'host' } });
const out: Record<string, number> = {};
for (let i = 0; i < 30; i++) {
  const w = { id: `01JACT${String(i).padStart(20, '0')}`, name: `a${i}`, owner: 'o', source: { image: 'workbay-test/busybox:local' }, devcontainer: JSON.stringify({ image: 'workbay-test/busybox:local' }), env: {} };
  await d.create(w as any, () => {});
  const [list, act] = await Promise.all([
    p.client.listContainers({ all: true, filters: { label: [`workbay.dev/workspace-id=${w.id}`, `dev.containers.id=${w.id}`] } }),
    d.lastActivity(w as any),
  ]);
  const f = await d.find(w as any);
  const k = `list=${list.length} act=${act ? 'yes' : 'no'} find=${f?.state}`;
  out[k] = (out[k] ?? 0) + 1;
  if (!act) console.log(i, k, JSON.stringify(list.map((c) => c.State)));
  await d.delete(w as any).catch(() => {});
}
console.log(out);
await p.close();
