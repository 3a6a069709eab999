import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tar from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { planFolder, writeArchive } from '../../../cli/folder-archive';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function folder(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'workbay-archive-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  return root;
}

async function entriesOf(file: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const extract = tar.extract();
  extract.on('entry', (h, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    body.on('end', () => { out[h.name] = h.type === 'directory' ? '<dir>' : h.type === 'symlink' ? `-> ${h.linkname}` : Buffer.concat(chunks).toString(); next(); });
  });
  const done = new Promise<void>((r) => extract.on('finish', () => r()));
  extract.end(readFileSync(file));
  await done;
  return out;
}

describe('the archive of `workbay up ./folder`', () => {
  it('honours .gitignore files the way git does, leaves out .git and keeps the rest byte for byte', async () => {
    const dir = folder({
      '.gitignore': '*.log\nbuild/\n!keep.log\n',
      'a.log': 'no', 'keep.log': 'yes', 'src/main.c': 'int main;', 'build/out': 'no',
      'src/.gitignore': 'gen/\n!a.log\n', 'src/gen/x': 'no', 'src/a.log': 'deeper rule wins',
      'docs/build': 'a file, not a folder: build/ does not match it',
      '.git/config': '[remote] url = https://token@example.com',
    });
    symlinkSync('src/main.c', join(dir, 'link'));
    const plan = await planFolder(dir);
    const file = join(dir, '..', `${dir.split('/').pop()}.tar`);
    try {
      const archive = await writeArchive(plan, file);
      expect(archive.size).toBe(statSync(file).size);
      expect(archive.size).toBe(plan.size);
      expect(archive.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
      expect(await entriesOf(file)).toEqual({
        '.gitignore': '*.log\nbuild/\n!keep.log\n', 'keep.log': 'yes', link: '-> src/main.c',
        docs: '<dir>', 'docs/build': 'a file, not a folder: build/ does not match it',
        src: '<dir>', 'src/.gitignore': 'gen/\n!a.log\n', 'src/a.log': 'deeper rule wins', 'src/main.c': 'int main;',
      });
      expect(plan.excluded).toBe(4);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('knows its size before writing (the cap is checked on it)', async () => {
    const dir = folder({ 'big.bin': 'x'.repeat(10_000), 'small': 'y' });
    const plan = await planFolder(dir);
    expect(plan.size).toBe(512 + 10_240 + 512 + 512 + 1024);
  });
});
