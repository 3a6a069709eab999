/**
 * What a cold start loads: the api entry and its static imports must stay small and free of the
 * drivers' clients, which load through dynamic import() when a request first needs a driver. Also
 * checks the artifact zip holds exactly the bundle, byte for byte, and is reproducible.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll, bundleStats, zipBundle, type BundleResult } from '../../infra/build';
import { listFiles } from '../../infra/zip';

const LAZY_ONLY = ['node_modules/dockerode/', 'node_modules/docker-modem/', 'node_modules/ssh2/', 'node_modules/@kubernetes/client-node/', 'node_modules/@aws-sdk/client-secrets-manager/'];
const outDir = mkdtempSync(join(tmpdir(), 'workbay-size-'));
let built: Record<string, BundleResult & { zip: string }>;

beforeAll(async () => {
  built = await buildAll({ outDir });
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Entries of a zip, read from its central directory and inflated. */
function unzip(file: string): Map<string, Buffer> {
  const zip = readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const [size, nameLen, extraLen, commentLen, local] = [zip.readUInt32LE(at + 20), zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32), zip.readUInt32LE(at + 42)];
    const name = zip.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    out.set(name, inflateRawSync(zip.subarray(dataAt, dataAt + size)));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

describe('api bundle', () => {
  it('keeps dockerode, ssh2, @kubernetes/client-node and the Secrets Manager client out of the initial chunk', () => {
    const stats = bundleStats(built.api!.metafile, 'functions/api.ts');
    const leaked = stats.initialInputs.filter((i) => LAZY_ONLY.some((p) => i.includes(p)));
    expect(leaked).toEqual([]);
    expect(stats.initialInputs.some((i) => i.includes('node_modules/hono/'))).toBe(true);
    expect(stats.initialInputs).not.toContain('lib/drivers/docker/index.ts');
  });

  it('still bundles the Docker driver, behind a dynamic import', () => {
    const outputs = built.api!.metafile.outputs;
    const withDockerode = Object.keys(outputs).filter((o) => Object.keys(outputs[o]!.inputs).some((i) => i.includes('node_modules/dockerode/')));
    expect(withDockerode).not.toEqual([]);
    const dynamic = Object.values(outputs).flatMap((o) => o.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path));
    const driverChunk = Object.keys(outputs).find((o) => outputs[o]!.entryPoint === 'lib/drivers/docker/index.ts');
    expect(dynamic).toContain(driverChunk);
  });

  it('loads no parser, background worker, integration service or other route group before the first request (ADR 0020)', () => {
    const outputs = built.api!.metafile.outputs;
    const stats = bundleStats(built.api!.metafile, 'functions/api.ts');
    const later = ['node_modules/yaml/', 'node_modules/jsonc-parser/', 'node_modules/tar-stream/', 'lib/config/provider-parse.ts', 'lib/config/devcontainer-parse.ts',
      'lib/features/', 'lib/workspaces/reconciler.ts', 'lib/workspaces/sweeper.ts', 'lib/webhooks/dispatcher.ts',
      // The GitHub, Slack and subscription services, built by the first request that uses them.
      'lib/integrations/service.ts', 'lib/integrations/github-pull-requests.ts', 'lib/integrations/slack-commands.ts', 'lib/webhooks/subscriptions.ts',
      ...['workspaces', 'providers', 'configs', 'tokens', 'sweeps', 'webhooks', 'integrations', 'uploads'].map((g) => `lib/api/routes/${g}.ts`)];
    expect(stats.initialInputs.filter((i) => later.some((p) => i.includes(p)))).toEqual([]);
    // What the first GET /v1/workspaces/{id} adds: the workspaces group, still without any parser.
    const group = Object.keys(outputs).find((o) => Object.keys(outputs[o]!.inputs).includes('lib/api/routes/workspaces.ts'))!;
    const first = bundleStats({ ...built.api!.metafile, outputs: { ...outputs, [group]: { ...outputs[group]!, entryPoint: 'first-get' } } }, 'first-get');
    expect(first.initialInputs).toContain('lib/api/routes/workspaces.ts');
    expect(first.initialInputs.filter((i) => later.slice(0, 13).some((p) => i.includes(p)))).toEqual([]);
  });

  it('has an initial chunk under 1 MB', () => {
    const stats = bundleStats(built.api!.metafile, 'functions/api.ts');
    expect(stats.initialBytes).toBeLessThan(1_000_000);
    expect(stats.totalBytes).toBeGreaterThan(stats.initialBytes);
  });

  it('the sweeper and reconciler bundles carry no HTTP layer', () => {
    for (const fn of ['sweeper', 'reconciler']) {
      const stats = bundleStats(built[fn]!.metafile, `functions/${fn}.ts`);
      expect(stats.initialInputs.filter((i) => /node_modules\/(hono|@hono)\//.test(i) || i.startsWith('lib/api/routes'))).toEqual([]);
    }
  });
});

describe('artifacts', () => {
  it('zip exactly the bundle (code, chunks, package.json, maps; no meta.json), byte for byte', () => {
    for (const fn of ['api', 'sweeper', 'reconciler']) {
      const dir = join(outDir, fn);
      const entries = unzip(built[fn]!.zip);
      const files = listFiles(dir).filter((f) => f !== 'meta.json');
      expect([...entries.keys()]).toEqual(files);
      expect(files).toContain('index.mjs');
      expect(files.some((f) => f.startsWith('chunks/'))).toBe(true);
      for (const f of files) expect(entries.get(f)!.equals(readFileSync(join(dir, f)))).toBe(true);
      expect(JSON.parse(entries.get('package.json')!.toString())).toEqual({ type: 'module' });
    }
  });

  it('are reproducible: the same bundle zips to the same bytes', () => {
    const again = join(outDir, 'api-again.zip');
    zipBundle(join(outDir, 'api'), again);
    expect(readFileSync(again).equals(readFileSync(built.api!.zip))).toBe(true);
  });
});
