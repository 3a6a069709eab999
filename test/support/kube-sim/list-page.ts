import type { ListOptions } from './query';
import type { ResourceDef } from './resources';
import { badRequest, statusError } from './status';
import type { KubeObject, ObjectStore } from './store';

/** One page of a list: the items, the resourceVersion they are consistent at, and how to get the rest. */
export interface ListPage {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface ContinueKey {
  v: string;
  rv: number;
  start: string;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start } satisfies ContinueKey)).toString('base64url');
}

function decodeContinue(token: string): ContinueKey {
  try {
    const key = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueKey;
    if (key.v === 'meta.k8s.io/v1' && Number.isInteger(key.rv) && typeof key.start === 'string') return key;
  } catch {
    // falls through to the 400 below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function expired(message: string) {
  return statusError(410, 'Expired', message);
}

function tooLarge(rv: number, current: string) {
  const err = statusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1,
  });
  err.headers['Retry-After'] = '1';
  return err;
}

function parseRv(rv: string): number {
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  return Number(rv);
}

/** The resourceVersion a list is served at, and the objects at it (before selectors). */
function snapshot(store: ObjectStore, def: ResourceDef, namespace: string | undefined, o: ListOptions): { rv: number; objects: KubeObject[] } {
  const current = Number(store.resourceVersion);
  if (o.continueToken) {
    const key = decodeContinue(o.continueToken);
    const objects = key.rv === current ? store.list(def, namespace) : store.listAt(def, key.rv, namespace);
    if (!objects) {
      throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
    }
    return { rv: key.rv, objects };
  }
  if (!o.resourceVersion || o.resourceVersion === '0') return { rv: current, objects: store.list(def, namespace) };
  const rv = parseRv(o.resourceVersion);
  // Without resourceVersionMatch, a paged list with a resourceVersion is exact; any other is "not older than".
  const match = o.resourceVersionMatch ?? (o.limit ? 'Exact' : 'NotOlderThan');
  if (rv > current) throw tooLarge(rv, store.resourceVersion);
  if (match === 'NotOlderThan' || rv === current) return { rv: current, objects: store.list(def, namespace) };
  const objects = store.listAt(def, rv, namespace);
  if (!objects) throw expired(`too old resource version: ${rv} (${store.oldestResumable})`);
  return { rv, objects };
}

/**
 * Serves a list the way the API server does: at the resourceVersion asked for (Exact from history, NotOlderThan
 * as the current state, 410 Expired when history no longer reaches back, 504 when it is in the future), in pages of
 * `limit` items with an opaque `continue` token that keeps later pages consistent with the first.
 */
export function listPage(store: ObjectStore, def: ResourceDef, namespace: string | undefined, o: ListOptions, selected: (obj: KubeObject) => boolean): ListPage {
  const { rv, objects } = snapshot(store, def, namespace, o);
  const start = o.continueToken ? decodeContinue(o.continueToken).start : '';
  const matching = objects.filter((obj) => keyOf(obj) >= start && selected(obj));
  if (!o.limit || o.limit <= 0 || matching.length <= o.limit) return { items: matching, resourceVersion: String(rv) };
  const items = matching.slice(0, o.limit);
  const page: ListPage = { items, resourceVersion: String(rv), continueToken: encodeContinue(rv, `${keyOf(items[items.length - 1]!)}\u0000`) };
  if (!o.labelSelector && !o.fieldSelector) page.remainingItemCount = matching.length - items.length;
  return page;
}
