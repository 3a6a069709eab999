import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import tar from 'tar-stream';

/**
 * Never sent: `.git` holds history the workspace does not need to run and, in `.git/config`, remote
 * URLs that may carry credentials. A workspace that needs the repository uses `--git` (its remote).
 */
export const ALWAYS_EXCLUDED = ['.git'];

/** One thing to archive, found by the walk. */
interface Entry {
  rel: string;
  abs: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  mode: number;
  mtime: Date;
  uid: number;
  gid: number;
}

/** The .gitignore rules of one folder, matched against paths relative to it. */
interface Rules { base: string; ig: Ignore }

/** What a folder would become: its entries and the archive's exact size. */
export interface FolderPlan {
  entries: Entry[];
  /** Bytes of the tar `writeArchive` produces, less PAX headers of names over 100 bytes: checked before anything is written. */
  size: number;
  /** Paths left out by .gitignore rules (and `.git`), for the progress line. */
  excluded: number;
}

/** Tar bytes of one entry: a 512-byte header and the data padded to 512 (long names add a PAX header on top). */
function tarBytes(e: Entry): number {
  return 512 + (e.type === 'file' ? Math.ceil(e.size / 512) * 512 : 0);
}

/** True when the stacked .gitignore rules (outermost first, the deepest having the last word) ignore `rel`. */
function isIgnored(rules: Rules[], rel: string, dir: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    const sub = r.base ? posix.relative(r.base, rel) : rel;
    const t = r.ig.test(dir ? `${sub}/` : sub);
    if (t.ignored) ignored = true;
    else if (t.unignored) ignored = false;
  }
  return ignored;
}

/**
 * Walks a folder the way git decides what it tracks: each folder's `.gitignore` applies below it,
 * an ignored folder is not entered, and `.git` is always left out. Linear in the folder's entries.
 */
export async function planFolder(root: string): Promise<FolderPlan> {
  const entries: Entry[] = [];
  let excluded = 0;
  const walk = async (rel: string, rules: Rules[]): Promise<void> => {
    const abs = rel ? join(root, rel) : root;
    let own = rules;
    const text = await readFile(join(abs, '.gitignore'), 'utf8').catch(() => undefined);
    if (text !== undefined) own = [...rules, { base: rel, ig: ignore().add(text) }];
    const names = (await readdir(abs)).sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = join(abs, name);
      const st = await lstat(childAbs);
      const type = st.isDirectory() ? 'directory' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : undefined;
      if (!type) continue; // sockets, fifos, devices: nothing a source folder is made of
      if (ALWAYS_EXCLUDED.includes(name) || isIgnored(own, childRel, type === 'directory')) {
        excluded++;
        continue;
      }
      entries.push({ rel: childRel, abs: childAbs, type, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid });
      if (type === 'directory') await walk(childRel, own);
    }
  };
  await walk('', []);
  return { entries, excluded, size: entries.reduce((n, e) => n + tarBytes(e), 0) + 1024 };
}

/** Writes the planned archive to `file`; resolves with its size and sha256 (hashed while written). */
export async function writeArchive(plan: FolderPlan, file: string): Promise<{ size: number; sha256: string }> {
  const pack = tar.pack();
  const out = createWriteStream(file, { mode: 0o600 });
  const hash = createHash('sha256');
  let size = 0;
  pack.on('data', (chunk: unknown) => { hash.update(chunk as Buffer); size += (chunk as Buffer).length; });
  const written = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    pack.on('error', reject);
  });
  pack.pipe(out);
  for (const e of plan.entries) {
    const header = { name: e.rel, mode: e.mode, mtime: e.mtime, uid: e.uid, gid: e.gid };
    if (e.type === 'directory') {
      await new Promise<void>((ok, fail) => pack.entry({ ...header, type: 'directory' }, (err) => (err ? fail(err) : ok())));
    } else if (e.type === 'symlink') {
      const linkname = await readlink(e.abs);
      await new Promise<void>((ok, fail) => pack.entry({ ...header, type: 'symlink', linkname }, (err) => (err ? fail(err) : ok())));
    } else {
      // The size is the one the walk saw: a file that grows meanwhile is cut there, one that shrinks fails.
      await new Promise<void>((ok, fail) => {
        const sink = pack.entry({ ...header, type: 'file', size: e.size }, (err) => (err ? fail(err) : ok()));
        const src = createReadStream(e.abs, { start: 0, end: Math.max(0, e.size - 1) });
        if (e.size === 0) { src.destroy(); (sink as NodeJS.WritableStream).end(); return; }
        src.on('error', fail);
        src.pipe(sink);
      });
    }
  }
  pack.finalize();
  await written;
  return { size, sha256: hash.digest('hex') };
}
