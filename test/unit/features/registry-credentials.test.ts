import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProviderYaml } from '../../../lib/config';
import { isWorkbayError } from '../../../lib/errors';
import { parseFeatureRef, registryCredentials, resolveFeatures } from '../../../lib/features';
import { localSecrets } from '../../../lib/secrets';

/** workbay.registries: parsing, lazy secret references, and where the credentials are (never) sent. */
const provider = (registries: string) => `name: p\nworkbay:\n  registries:\n${registries}`;

function problems(yaml: string): { field: string; message: string; line?: number }[] {
  try {
    parseProviderYaml(yaml);
  } catch (err) {
    if (isWorkbayError(err, 'config.invalid')) return err.errors;
    throw err;
  }
  return [];
}

describe('workbay.registries in the provider file', () => {
  it('keeps hosts (lowercase) with a username and a password reference', () => {
    const def = parseProviderYaml(provider('    Registry.Example.com:5000: { username: robot, password: "env:REG_PASSWORD" }\n    ghcr.io: { username: "file:/run/user", password: "aws-sm:workbay/prod/ghcr" }\n'));
    expect(def.policy.registries).toEqual({
      'registry.example.com:5000': { username: 'robot', password: 'env:REG_PASSWORD' },
      'ghcr.io': { username: 'file:/run/user', password: 'aws-sm:workbay/prod/ghcr' },
    });
    expect(parseProviderYaml('name: q\n').policy.registries).toBeUndefined();
  });

  it('refuses an inline password without echoing it, bad hosts and unknown keys, with lines', () => {
    const found = problems(provider('    ghcr.io: { username: robot, password: hunter2-secret }\n    https://x.example/v2: { username: a, password: "env:A" }\n    r.example: { username: a, password: "env:A", email: a@b }\n'));
    expect(found.map((p) => [p.field, p.line])).toEqual([
      ['workbay.registries.ghcr.io.password', 4],
      ['workbay.registries.https://x.example/v2', 5],
      ['workbay.registries.r.example.email', 6],
    ]);
    expect(JSON.stringify(found)).not.toContain('hunter2');
  });
});

describe('registryCredentials', () => {
  it('fetches a host\'s references only when that registry is called, once', async () => {
    const asked: string[] = [];
    const secrets = localSecrets({ REG_PASSWORD: 'pw\n' });
    const lookup = registryCredentials({ 'r.example': { username: 'robot', password: 'env:REG_PASSWORD' }, 'broken.example': { username: 'x', password: 'env:UNSET' } }, (ref, field) => {
      asked.push(ref);
      return secrets(ref, field);
    })!;
    expect(asked).toEqual([]);
    expect(await lookup('R.example')).toEqual({ username: 'robot', password: 'pw' });
    expect(await lookup('r.example')).toEqual({ username: 'robot', password: 'pw' });
    expect(asked).toEqual(['env:REG_PASSWORD']);
    expect(await lookup('other.example')).toBeUndefined();
    const err = await lookup('broken.example').catch((e: unknown) => e);
    expect(isWorkbayError(err, 'config.invalid')).toBe(true);
    expect((err as { errors: { field: string }[] }).errors[0]!.field).toBe('workbay.registries["broken.example"].password');
    expect(registryCredentials(undefined, localSecrets({}))).toBeUndefined();
  });
});

describe('the OCI client with credentials', () => {
  const seen: { server: string; path: string; headers: IncomingHttpHeaders }[] = [];
  let registry: Server;
  let storage: Server;
  let layer: Buffer;
  const port = (s: Server) => (s.address() as AddressInfo).port;

  beforeAll(async () => {
    const pack = tar.pack();
    pack.entry({ name: './devcontainer-feature.json' }, JSON.stringify({ id: 'x', version: '1.0.0' }));
    pack.entry({ name: './install.sh', mode: 0o755 }, '#!/bin/sh\n');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    layer = Buffer.concat(chunks);
    const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    storage = createServer((req, res) => {
      seen.push({ server: 'storage', path: req.url!, headers: req.headers });
      res.end(layer);
    });
    registry = createServer((req, res) => {
      seen.push({ server: 'registry', path: req.url!, headers: req.headers });
      if (req.headers.authorization !== `Basic ${Buffer.from('robot:pw').toString('base64')}`) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
      } else if (req.url!.includes('/manifests/')) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
          .end(JSON.stringify({ layers: [{ mediaType: 'application/vnd.devcontainers.layer.v1+tar', digest, size: layer.length }] }));
      } else {
        // Blobs live elsewhere, as on most registries (object storage behind a redirect).
        res.writeHead(307, { location: `http://127.0.0.1:${port(storage)}/blob?sig=1` }).end();
      }
    });
    await Promise.all([registry, storage].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  });
  afterAll(async () => {
    await Promise.all([registry, storage].map((s) => new Promise((r) => s.close(r))));
  });

  it('sends Basic credentials to the registry and never to the host a blob redirects to', async () => {
    seen.length = 0;
    const written = `127.0.0.1:${port(registry)}/ns/x:1`;
    const features = await resolveFeatures({ [written]: {} }, '.devcontainer', { credentialsFor: async (h) => (h === `127.0.0.1:${port(registry)}` ? { username: 'robot', password: 'pw' } : undefined) });
    expect(features.map((f) => f.metadata.id)).toEqual(['x']);
    expect(seen.filter((s) => s.server === 'registry').every((s) => s.headers.authorization?.startsWith('Basic '))).toBe(true);
    expect(seen.filter((s) => s.server === 'storage')).toEqual([expect.objectContaining({ path: '/blob?sig=1' })]);
    expect(seen.find((s) => s.server === 'storage')!.headers.authorization).toBeUndefined();
  });

  it('without credentials, the 401 is an error naming the Feature and the setting', async () => {
    const written = `127.0.0.1:${port(registry)}/ns/x:1`;
    expect(parseFeatureRef(written, '.').source.kind).toBe('oci');
    const err = await resolveFeatures({ [written]: {} }, '.', {}).catch((e: unknown) => e);
    expect(isWorkbayError(err, 'driver.sourceFailed')).toBe(true);
    expect((err as Error).message).toBe(`Feature "${written}" could not be fetched: the registry needs credentials (401); an admin can give them for 127.0.0.1:${port(registry)} in the provider's workbay.registries (secret references)`);
  });
});
