/**
 * esbuild plugin for the Lambda bundles (infra/build.ts): replaces portal/assets.ts, which builds the
 * page at run time from source, with a module holding the page built now. Lambda then needs neither
 * esbuild nor the portal's sources, and the strings stay in the lazy chunk the route imports.
 */
import { resolve } from 'node:path';
import type { Plugin } from 'esbuild';
import { buildPortal, PORTAL_DIR } from './build';

/** The plugin; the page is built once per bundle. */
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
