import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiEnv } from '../context';
import type { PortalAssets } from '../../../portal/assets';

/**
 * The page may load only its own script and stylesheet and talk only to its own origin: no inline
 * script or style, no eval, no frames, no form posts anywhere. What the API returns is rendered as
 * text by the page; this header is the second line should that ever slip.
 */
export const PORTAL_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const COMMON = {
  'content-security-policy': PORTAL_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const TYPES = {
  html: 'text/html; charset=utf-8',
  // text/* so hono's Lambda adapter returns it as text, not base64.
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

/** Loaded on the first request for the page, never on an API request (a lazy chunk on Lambda). */
const load = (): Promise<PortalAssets> => import('../../../portal/assets').then((m) => m.portalAssets());

async function serve(c: Context<ApiEnv>, kind: keyof typeof TYPES): Promise<Response> {
  let assets: PortalAssets;
  try {
    assets = await load();
  } catch (err) {
    return c.text(`the portal could not be built: ${err instanceof Error ? err.message : String(err)} (is esbuild installed? npm ci)`, 503);
  }
  const etag = `"${assets.version}"`;
  // Versioned URLs (the page asks for ?v=<version>) never change; the page itself is revalidated.
  const immutable = kind !== 'html' && c.req.query('v') === assets.version;
  const headers = { ...COMMON, 'content-type': TYPES[kind], etag, 'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache' };
  if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
  return c.body(assets[kind], 200, headers);
}

/** The self-service portal (issue 14): the page at `/` and its two assets, all without a token. */
export function portalRoutes(app: OpenAPIHono<ApiEnv>): void {
  app.get('/', (c) => serve(c, 'html'));
  app.get('/portal/app.js', (c) => serve(c, 'js'));
  app.get('/portal/app.css', (c) => serve(c, 'css'));
}
