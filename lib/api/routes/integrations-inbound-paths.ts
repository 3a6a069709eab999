/** The signed inbound endpoints' paths, apart from their routes: the app checks them on every request. */
const INBOUND = /^\/v1\/integrations\/(github|slack)\/[^/]+\/?$/;

/** True for the signed inbound endpoints: their HMAC authenticates them, not a bearer token. */
export function isSignedInbound(method: string, path: string): boolean {
  return method === 'POST' && INBOUND.test(path);
}
