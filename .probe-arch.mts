import Docker from 'dockerode';
import { startPodman } from './test/support/podman.ts';
import { readFileFrom } from './lib/drivers/docker/archive.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
const c = await p.client.createContainer({ Image: 'workbay-test/busybox:local', Cmd: ['/bin/sh', '-c', 'touch /tmp/devpod.activity; while sleep 1; do :; done'] });
await c.start();
await new Promise((r) => setTimeout(r, 1000));
const out: Record<string, number> = {};
for (let i = 0; i < 60; i++) {
  let k: string;
  try {
    const s: any = await c.getArchive({ path: '/tmp/devpod.activity' });
    const chunks: Buffer[] = []; for await (const ch of s) chunks.push(ch);
    const b = Buffer.concat(chunks);
    k = `ok len=${b.length}`;
    if (b.length < 1024) console.log(i, JSON.stringify(b.toString('latin1').slice(0, 200)));
  } catch (e: any) { k = `err ${e.statusCode} ${String(e.message).slice(0, 120)}`; }
  out[k] = (out[k] ?? 0) + 1;
}
console.log(out);
await c.remove({ force: true });
await p.close();
