import Docker from 'dockerode';
import { startPodman } from './test/support/podman.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
const c = await p.client.createContainer({ Image: 'workbay-test/busybox:local', Cmd: ['/bin/sh', '-c', 'while sleep 1; do :; done'] });
await c.start();
let running = 0, missing = 0;
for (let i = 0; i < 40; i++) {
  const e = await c.exec({ Cmd: ['/bin/sh', '-c', `touch /tmp/f${i}`], AttachStdout: true, AttachStderr: true });
  const s = await e.start({ hijack: true, stdin: false });
  s.resume();
  await new Promise<void>((r) => { s.on('end', r); s.on('close', r); });
  const info = await e.inspect();
  if (info.Running) running++;
  const a = await c.getArchive({ path: `/tmp/f${i}` }).then(() => true, () => false);
  if (!a) { missing++; console.log(i, 'missing; exec inspect', info.Running, info.ExitCode); }
}
console.log({ running, missing });
await c.remove({ force: true });
await p.close();
