import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { startPodman } from './test/support/podman.ts';
const src = new Docker({ socketPath: '/tmp/workbay-test-dockerd/docker.sock' });
const p = await startPodman(src, ['workbay-test/busybox:local']);
try {
  const t = pack(); t.entry({ name: 'Dockerfile' }, 'FROM workbay-test/busybox:local\nRUN echo hi > /flavour\n'); t.finalize();
  const s = await p.client.buildImage(t as any, { t: 'workbay-x:devcontainer', networkmode: 'host', rm: true, forcerm: true, labels: { a: 'b' } } as any);
  const out = await new Promise((res, rej) => p.client.modem.followProgress(s, (e: any, o: any) => e ? rej(e) : res(o)));
  console.log(JSON.stringify(out).slice(-600));
  console.log((await p.client.getImage('workbay-x:devcontainer').inspect()).RepoTags);
} catch (e) { console.log('ERR', e); }
await p.close();
