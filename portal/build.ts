/**
 * Builds the portal with esbuild's JS API: portal/src/main.ts bundled and minified for browsers, the
 * stylesheet, and index.html pointing at both with a content version (so the assets can be cached for
 * good and a new deploy is still fetched at once). Node-side; the page's own code is under src/.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The portal's source folder. */
export const PORTAL_DIR = dirname(fileURLToPath(import.meta.url));

/** What the api app serves at `/`, `/portal/app.js` and `/portal/app.css`. */
export interface PortalAssets {
  html: string;
  js: string;
  css: string;
  /** Content hash of js + css, in the asset URLs and their ETags. */
  version: string;
}

/** Bundles the page; takes a few hundred milliseconds. */
export async function buildPortal(): Promise<PortalAssets> {
  const out = await build({
    absWorkingDir: PORTAL_DIR,
    entryPoints: [join(PORTAL_DIR, 'src', 'main.ts')],
    tsconfig: join(PORTAL_DIR, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]!.text;
  const css = readFileSync(join(PORTAL_DIR, 'portal.css'), 'utf8');
  const version = createHash('sha256').update(js).update('\0').update(css).digest('hex').slice(0, 16);
  const html = readFileSync(join(PORTAL_DIR, 'index.html'), 'utf8').replaceAll('__VERSION__', version);
  return { html, js, css, version };
}

/**
 * The esbuild plugin for the Lambda bundles (infra/build.ts): replaces portal/assets.ts, which builds the
 * page at run time from source, with a module holding the page built now. Lambda then needs neither
 * esbuild nor the portal's sources, and the strings stay in the lazy chunk the route imports.
 */
export function portalPrebuilt(): Plugin {
  const target = resolve(PORTAL_DIR, 'assets.ts');
  return {
    name: 'portal-prebuilt',
    setup(b) {
      b.onLoad({ filter: /[\\/]portal[\\/]assets\.ts$/ }, async (args) => {
        if (resolve(args.path) !== target) return undefined;
        const assets = await buildPortal();
        return {
          contents: `const assets = ${JSON.stringify(assets)};\n/** The prebuilt portal. */\nexport function portalAssets() { return Promise.resolve(assets); }\n`,
          loader: 'js',
        };
      });
    },
  };
}
