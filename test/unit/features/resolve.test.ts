import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { resolveFeatures, type FeatureFiles } from '../../../lib/features';

async function tgz(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name: `./${name}` }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const local = (folders: Record<string, Record<string, string>>) => async (path: string): Promise<FeatureFiles | undefined> => {
  const f = folders[path];
  return f && new Map(Object.entries(f).map(([k, v]) => [k, { content: Buffer.from(v), mode: 0o644 }]));
};
const feature = (id: string, extra: Record<string, unknown> = {}) => ({ 'devcontainer-feature.json': JSON.stringify({ id, ...extra }), 'install.sh': 'true' });

describe('resolving Features', () => {
  it('an https tarball is downloaded, unpacked and its options applied', async () => {
    const body = await tgz(feature('tool', { options: { v: { type: 'string', default: '1' } } }));
    const seen: string[] = [];
    const fetchTgz = (async (url: string) => { seen.push(String(url)); return new Response(body); }) as unknown as typeof fetch;
    const [f] = await resolveFeatures({ 'https://example.test/devcontainer-feature-tool.tgz': { v: '2' } }, '.devcontainer', { fetch: fetchTgz });
    expect(seen).toEqual(['https://example.test/devcontainer-feature-tool.tgz']);
    expect(f!.metadata.id).toBe('tool');
    expect(f!.env).toEqual({ V: '2' });
    expect(f!.files.get('install.sh')!.content.toString()).toBe('true');
  });
  it('a tarball that is not there names the Feature', async () => {
    const notFound = (async () => new Response('nope', { status: 404 })) as unknown as typeof fetch;
    await expect(resolveFeatures({ 'https://example.test/x.tgz': {} }, '.', { fetch: notFound })).rejects.toThrow('Feature "https://example.test/x.tgz" could not be fetched: the server answered 404');
  });
  it('a local dependency is resolved relative to devcontainer.json and installed first; installsAfter orders softly', async () => {
    const folders = {
      '.devcontainer/b': feature('b', { dependsOn: { './a': {} } }),
      '.devcontainer/a': feature('a'),
      '.devcontainer/c': feature('c', { installsAfter: ['b'] }),
    };
    const list = await resolveFeatures({ './c': {}, './b': {} }, '.devcontainer', { local: local(folders) });
    expect(list.map((f) => f.metadata.id)).toEqual(['a', 'b', 'c']);
  });
  it('a Feature without install.sh, or a local one without a source, is refused by name', async () => {
    await expect(resolveFeatures({ './x': {} }, '.devcontainer', { local: local({ '.devcontainer/x': { 'devcontainer-feature.json': '{"id":"x"}' } }) })).rejects.toThrow('Feature "./x" has no install.sh');
    await expect(resolveFeatures({ './x': {} }, '.devcontainer', {})).rejects.toThrow(/Feature "\.\/x" is a local folder/);
  });
});
