import Docker from 'dockerode';
import { startPodman } from './test/support/podman.ts';
import { DockerDriver } from './lib/drivers/docker/index.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
const d = new DockerDriver({ host: p.host, cliPath: 'podman', install: false, helper: { image: 'x', network: 'host' } });
let bad = 0;
for (let i = 0; i < 25; i++) {
  const w = { id: `01JACT${String(i).padStart(20, '0')}`, name: `a${i}`, owner: 'o', source: { image: 'workbay-test/busybox:local' }, devcontainer: JSON.stringify({ image: 'workbay-test/busybox:local' }), env: {} };
  try {
    const obs = await d.create(w as any, () => {});
    const first = await d.lastActivity(w as any);
    if (!first) {
      bad++;
      const info = await p.client.getContainer(obs.ref.containerId).inspect();
      console.log(i, 'state', JSON.stringify(info.State));
      const arch = await p.client.getContainer(obs.ref.containerId).getArchive({ path: '/tmp/devpod.activity' }).then(() => 'ok', (e: any) => `err ${e.statusCode} ${e.message}`);
      console.log(i, 'archive', arch, 'again', await d.lastActivity(w as any));
      console.log(i, 'ls', (await d.exec(w as any, ['ls', '-la', '/tmp'])).stdout);
    }
  } catch (e) { bad++; console.log(i, 'ERR', e); }
  await d.delete(w as any).catch(() => {});
}
console.log('bad', bad);
await p.close();
