import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadProvider } from '../../lib/config';
import type { DriverWorkspace } from '../../lib/drivers';
import { createKubernetesDriver, kubeNames, type KubeDriver } from '../../lib/drivers/kubernetes';
import { localSecrets } from '../../lib/secrets';
import { DiskUploadStore, type UploadInfo } from '../../lib/uploads';
import { startKubeSim, type KubeSim } from '../support/kube-sim';

/**
 * An uploaded folder on a Kubernetes provider (kube-sim, pods are real containers): the source pod
 * unpacks it into the PVC over exec stdin, devcontainer.json is read from it, and the workspace
 * runs with the files. The helper image needs tar (busybox here; alpine/git by default).
 */
const IMAGE = 'workbay-test/busybox:local';
const dir = mkdtempSync(join(tmpdir(), 'workbay-kube-upload-'));
const kubeconfig = join(dir, 'kubeconfig');
let sim: KubeSim;
let driver: KubeDriver;
let info: UploadInfo;
const uploads = new DiskUploadStore({ dir: join(dir, 'uploads') });
const ws: DriverWorkspace = { id: ulid(), name: 'kube-upload', owner: 'tests', source: { image: IMAGE }, env: {} };

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  sim = await startKubeSim({ dockerHost: inject('dockerHost') });
  sim.writeKubeconfig(kubeconfig);
  const archive = await tarOf({
    '.devcontainer/devcontainer.json': JSON.stringify({ image: IMAGE, containerEnv: { FOLDER: '${localWorkspaceFolderBasename}' }, postCreateCommand: 'cat hello.txt > .copied' }),
    'hello.txt': 'from the upload\n',
  });
  info = await uploads.put('tests', [archive]);
  ws.source = { upload: { id: info.id, folder: '/home/tester/kube-proj', sha256: info.sha256, size: info.size } };
  const p = loadProvider(`name: kup\ndriver: kubernetes\nconfig: ${kubeconfig}\n`);
  if (p.agent.driver !== 'kubernetes') throw new Error('not kubernetes');
  driver = await createKubernetesDriver(p.agent.kubernetes, { secrets: localSecrets({}), gitImage: IMAGE, uploads }, p.definition.policy);
}, 60_000);

afterAll(async () => {
  await driver?.delete(ws).catch(() => undefined);
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('an uploaded folder on Kubernetes', () => {
  it('is unpacked into the PVC, its devcontainer.json used, and the workspace runs with the files', async () => {
    const steps: string[] = [];
    const o = await driver.create(ws, (e) => steps.push(`${e.step}: ${e.message}`));
    expect(o.state).toBe('running');
    expect(steps).toContain(`source: placed the uploaded folder (${info.size} bytes)`);
    const r = await driver.exec(ws, ['sh', '-c', 'cat hello.txt .copied; echo $FOLDER; pwd']);
    expect(r).toMatchObject({ exitCode: 0, stdout: 'from the upload\nfrom the upload\nkube-proj\n/workspaces/kube-upload\n' });
    // The source pod is gone once the folder is in place.
    expect(sim.sim.list('pods').map((p) => p.metadata.name)).not.toContain(kubeNames(ws.id).source);
  }, 120_000);

  it('stop and start keep the files, edits included', async () => {
    expect((await driver.exec(ws, ['sh', '-c', 'echo edited > hello.txt'])).exitCode).toBe(0);
    await driver.stop(ws);
    expect((await driver.start(ws, () => undefined)).state).toBe('running');
    expect((await driver.exec(ws, ['cat', 'hello.txt'])).stdout).toBe('edited\n');
  }, 120_000);

  it('an upload that is gone is a clear source failure', async () => {
    const other: DriverWorkspace = { ...ws, id: ulid(), name: 'gone', source: { upload: { id: ulid() } } };
    const err = await driver.create(other, () => undefined).catch((e: unknown) => e);
    await driver.delete(other);
    expect(err).toMatchObject({ code: 'driver.sourceFailed', message: expect.stringMatching(/the uploaded folder is gone/) });
  }, 60_000);
});
