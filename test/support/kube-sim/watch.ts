import type { ServerResponse } from 'node:http';
import type { ListOptions } from './query';
import { apiVersionOf, type ResourceDef } from './resources';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import type { KubeObject, ObjectStore, StoreEvent } from './store';
import { toTable } from './table';

/** How a watch request was asked for. */
export interface WatchRequest {
  def: ResourceDef;
  namespace: string | undefined;
  options: ListOptions;
  includeObject: string | null;
  asTable: boolean;
  /** How often to send a BOOKMARK when the client allows them. */
  bookmarkIntervalMs: number;
}

/** The annotation on the BOOKMARK that ends the initial events of a `sendInitialEvents=true` watch. */
export const INITIAL_EVENTS_END = 'k8s.io/initial-events-end';

/**
 * Streams watch events (`{"type":…,"object":…}` lines) for one resource, with the API server's starting points:
 * no resourceVersion (or "0") starts with ADDED for every current object; a resourceVersion replays history after it
 * (410 Expired as an ERROR event when too old); `sendInitialEvents=true` sends the current state and then a BOOKMARK
 * annotated `k8s.io/initial-events-end`, `false` only changes from then on. With `allowWatchBookmarks` a BOOKMARK
 * carrying the latest resourceVersion goes out periodically; `timeoutSeconds` ends the stream.
 */
export function serveWatch(res: ServerResponse, store: ObjectStore, w: WatchRequest, open: Set<ServerResponse>): void {
  const o = w.options;
  const labels = parseLabelSelector(o.labelSelector);
  const fields = parseFieldSelector(o.fieldSelector);
  const selected = (obj: KubeObject | undefined): boolean =>
    !!obj && (w.namespace === undefined || obj.metadata.namespace === w.namespace) && matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, obj);
  const send = (type: string, object: unknown): void => {
    const table = w.asTable && type !== 'ERROR' && type !== 'BOOKMARK';
    const payload = table ? toTable(w.def, [object as KubeObject], (object as KubeObject).metadata.resourceVersion, w.includeObject) : object;
    res.write(`${JSON.stringify({ type, object: payload })}\n`);
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: store.resourceVersion };
    if (annotations) metadata.annotations = annotations;
    send('BOOKMARK', { kind: w.def.kind, apiVersion: apiVersionOf(w.def), metadata });
  };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  open.add(res);

  const onEvent = (e: StoreEvent): void => {
    if (e.def !== w.def) return;
    const now = selected(e.object);
    const before = selected(e.old);
    if (e.type === 'MODIFIED' && !now && before) send('DELETED', e.object);
    else if (e.type === 'MODIFIED' && now && !before) send('ADDED', e.object);
    else if (now) send(e.type, e.object);
  };

  const rvParam = o.resourceVersion;
  const fromNow = !rvParam || rvParam === '0';
  const initial = o.sendInitialEvents ?? fromNow;
  const from = fromNow ? undefined : Number(rvParam);
  if (initial) {
    for (const obj of store.list(w.def, w.namespace)) if (selected(obj)) send('ADDED', obj);
    if (o.sendInitialEvents && o.allowWatchBookmarks) bookmark({ [INITIAL_EVENTS_END]: 'true' });
  } else if (from !== undefined && (Number.isNaN(from) || from < store.oldestResumable - 1)) {
    send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvParam} (${store.oldestResumable})`, reason: 'Expired', code: 410 });
    open.delete(res);
    res.end();
    return;
  } else if (from !== undefined) {
    for (const e of store.history) if (e.rv > from) onEvent(e);
  }
  const unsubscribe = store.subscribe(onEvent);
  const timer = o.timeoutSeconds && o.timeoutSeconds > 0 ? setTimeout(() => res.end(), o.timeoutSeconds * 1000) : undefined;
  const ticker = o.allowWatchBookmarks ? setInterval(() => bookmark(), w.bookmarkIntervalMs) : undefined;
  res.on('close', () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    open.delete(res);
  });
}
