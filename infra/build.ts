/**
 * `npm run build`: one esbuild bundle per Lambda function in dist/<fn>/ (index.mjs, lazy chunks,
 * package.json, source maps, meta.json), a zip per function (dist/<fn>.zip, serverless.yml's
 * `package.artifact`), and what serverless.yml reads with ${file()}: dist/table.json (the table
 * resource) and dist/stream-filter.json (the reconciler trigger's filter), both from the code's own
 * definitions so the two never drift.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild, type Metafile, type Plugin } from 'esbuild';
import { streamFilterPatterns, tableResource } from './cloudformation';
import { listFiles, writeZip } from './zip';
import { portalPrebuilt } from '../portal/build';

/** The Lambda functions and their entry points. */
export const FUNCTIONS = ['api', 'sweeper', 'reconciler'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/** Repository root (infra/..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * ESM output that bundles CommonJS dependencies needs `require`, `__filename` and `__dirname`; every
 * output file (entry and chunks) gets them. The helpers are imported under private names so a bundled
 * module that imports them under their own names does not collide.
 */
const BANNER = [
  "import { createRequire as __workbayCreateRequire } from 'module';",
  "import { dirname as __workbayDirname } from 'path';",
  "import { fileURLToPath as __workbayFileURLToPath } from 'url';",
  'const require = __workbayCreateRequire(import.meta.url);',
  'const __filename = __workbayFileURLToPath(import.meta.url);',
  'const __dirname = __workbayDirname(__filename);',
].join(' ');

/**
 * `import { z } from 'zod'` is a namespace that carries `z.locales`, every translation of zod's
 * messages (about 260 KB minified), which esbuild cannot shake off. The API speaks English only and
 * never calls `z.locales.*`, so the namespace is cut down to `en`.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: resolve(dirname(args.importer), '../locales/en.js'), namespace: 'zod-english-only' };
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: dirname(args.path), loader: 'js',
    }));
  },
};

/** What one bundle produced. */
export interface BundleResult {
  dir: string;
  metafile: Metafile;
}

/**
 * Bundles one entry into `outDir` the way Lambda loads it: ESM for Node 20+, code split so that
 * what is reached only through a dynamic `import()` (the drivers, dockerode, @kubernetes/client-node,
 * the Secrets Manager client) stays out of the entry chunk. `cpu-features` and native addons are
 * optional (ssh2 falls back to JS) and cannot be bundled. `minify: false` is for profiles only: a
 * CPU profile's line ticks map back to source lines only when the lines are the source's.
 */
export async function bundle(entry: string, outDir: string, o: { minify?: boolean } = {}): Promise<BundleResult> {
  rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    // Entries outside the repository (the benchmark's bare handler) resolve packages from here too.
    nodePaths: [join(ROOT, 'node_modules')],
    entryPoints: { index: entry },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    external: ['cpu-features', '*.node'],
    sourcemap: true,
    sourcesContent: false,
    minify: o.minify ?? true,
    // Licence notices of bundled packages go beside the code (shipped in the zip), not into what is parsed.
    legalComments: 'external',
    metafile: true,
    // The portal's page is built now and bundled into the lazy chunk its route imports (ADR 0009).
    plugins: [zodEnglishOnly, portalPrebuilt()],
    logLevel: 'warning',
  });
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
  writeFileSync(join(outDir, 'meta.json'), JSON.stringify(result.metafile));
  return { dir: outDir, metafile: result.metafile };
}

/** Zips a bundle dir for `package.artifact`: code, chunks, package.json and maps, not meta.json. */
export function zipBundle(dir: string, outFile: string): { bytes: number; files: number } {
  return writeZip(dir, listFiles(dir, (p) => p !== 'meta.json'), outFile);
}

/** Builds every function (or the ones named) and the table resource into `outDir` (default dist/). */
export async function buildAll(o: { outDir?: string; functions?: readonly FunctionName[] } = {}): Promise<Record<string, BundleResult & { zip: string }>> {
  const outDir = o.outDir ?? join(ROOT, 'dist');
  mkdirSync(outDir, { recursive: true });
  const out: Record<string, BundleResult & { zip: string }> = {};
  await Promise.all((o.functions ?? FUNCTIONS).map(async (fn) => {
    const b = await bundle(join(ROOT, 'functions', `${fn}.ts`), join(outDir, fn));
    const zip = join(outDir, `${fn}.zip`);
    zipBundle(b.dir, zip);
    out[fn] = { ...b, zip };
  }));
  writeFileSync(join(outDir, 'table.json'), `${JSON.stringify(tableResource(), null, 2)}\n`);
  writeFileSync(join(outDir, 'stream-filter.json'), `${JSON.stringify(streamFilterPatterns(), null, 2)}\n`);
  return out;
}

/** Sizes of a bundle, from esbuild's metafile. */
export interface BundleStats {
  /** The entry file and the chunks it imports statically: what loads before the first event. */
  initial: string[];
  initialBytes: number;
  /** Every JavaScript output (lazy chunks included), without source maps and licence files. */
  totalBytes: number;
  /** Source files (node_modules paths included) that end up in the initial outputs. */
  initialInputs: string[];
}

/**
 * The initial chunk of the bundle built from `entryPoint` (a path as the metafile spells it, e.g.
 * `functions/api.ts`): its output and, transitively, the outputs it imports with `import`
 * statements. Chunks reached only through `import()` load when code first needs them.
 */
export function bundleStats(meta: Metafile, entryPoint: string): BundleStats {
  const outputs = meta.outputs;
  const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === entryPoint);
  if (!entry) throw new Error(`no output for entry point ${entryPoint}`);
  const initial = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const out = queue.pop()!;
    if (initial.has(out)) continue;
    initial.add(out);
    for (const imp of outputs[out]!.imports) {
      if (imp.kind === 'import-statement' && !imp.external && outputs[imp.path]) queue.push(imp.path);
    }
  }
  const js = Object.keys(outputs).filter((k) => /\.m?js$/.test(k));
  return {
    initial: [...initial],
    initialBytes: [...initial].reduce((n, k) => n + outputs[k]!.bytes, 0),
    totalBytes: js.reduce((n, k) => n + outputs[k]!.bytes, 0),
    initialInputs: [...new Set([...initial].flatMap((k) => Object.keys(outputs[k]!.inputs)))],
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const built = await buildAll();
  const kib = (n: number) => `${(n / 1024).toFixed(0).padStart(5)} KiB`;
  for (const fn of FUNCTIONS) {
    const s = bundleStats(built[fn]!.metafile, `functions/${fn}.ts`);
    process.stdout.write(`${fn.padEnd(10)} initial ${kib(s.initialBytes)}  total ${kib(s.totalBytes)}  -> ${built[fn]!.zip}\n`);
  }
  process.stdout.write(`built in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
