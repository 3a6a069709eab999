/**
 * The portal's built assets, loaded by the api app on the first request for the page.
 *
 * From source (`npm start`, tests) the page is built here with esbuild on first use and kept for the
 * life of the process, so there is no build step to forget. In a bundle (`npm run build`,
 * infra/build.ts) esbuild's `portalPrebuilt` plugin replaces this whole module with one that holds
 * the prebuilt strings: the api route imports it with `import()`, so they sit in a lazy chunk and the
 * function's initial chunk does not grow (ADR 0009).
 */
import type { PortalAssets } from './build';

export type { PortalAssets } from './build';

let cached: Promise<PortalAssets> | undefined;

/** The assets, built once per process. */
export function portalAssets(): Promise<PortalAssets> {
  cached ??= import('./build').then((m) => m.buildPortal()).catch((err: unknown) => {
    // A failed build (esbuild missing in a production install) is retried on the next request.
    cached = undefined;
    throw err;
  });
  return cached;
}
