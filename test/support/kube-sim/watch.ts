import type { ServerResponse } from 'node:http';
import type { ResourceDef } from './resources';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors';
import type { KubeObject, ObjectStore, StoreEvent } from './store';
import { toTable } from './table';

/** How a watch request was asked for. */
export interface WatchRequest {
  def: ResourceDef;
  namespace: string | undefined;
  query: URLSearchParams;
  asTable: boolean;
}

/**
 * Streams watch events (`{"type":…,"object":…}` lines) for one resource. Without a resourceVersion (or "0") it
 * starts with ADDED for every current object; with one it replays history after it, or sends 410 Gone when too old.
 */
export function serveWatch(res: ServerResponse, store: ObjectStore, w: WatchRequest, open: Set<ServerResponse>): void {
  const labels = parseLabelSelector(w.query.get('labelSelector'));
  const fields = parseFieldSelector(w.query.get('fieldSelector'));
  const selected = (o: KubeObject | undefined): boolean =>
    !!o && (w.namespace === undefined || o.metadata.namespace === w.namespace) && matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
  const includeObject = w.query.get('includeObject');
  const send = (type: string, object: unknown): void => {
    const payload = w.asTable && type !== 'ERROR' ? toTable(w.def, [object as KubeObject], (object as KubeObject).metadata.resourceVersion, includeObject) : object;
    res.write(`${JSON.stringify({ type, object: payload })}\n`);
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

  const rvParam = w.query.get('resourceVersion');
  const from = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
  if (from === undefined) {
    for (const o of store.list(w.def, w.namespace)) if (selected(o)) send('ADDED', o);
  } else if (Number.isNaN(from) || from < store.oldestResumable - 1) {
    send('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvParam} (${store.oldestResumable})`, reason: 'Expired', code: 410 });
    open.delete(res);
    res.end();
    return;
  } else {
    for (const e of store.history) if (e.rv > from) onEvent(e);
  }
  const unsubscribe = store.subscribe(onEvent);
  const timeout = Number(w.query.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
  res.on('close', () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
    open.delete(res);
  });
}
