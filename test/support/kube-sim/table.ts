import type { ResourceDef } from './resources';
import type { KubeObject } from './store';

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: KubeObject) => string | number;
}

/** Human age like kubectl's (`42s`, `3m5s`, `2h10m`, `4d`). */
export function humanAge(since: string | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}

/** The STATUS column kubectl shows for a pod (ContainerCreating, ErrImagePull, Completed, Terminating…). */
export function podDisplayStatus(pod: KubeObject): { reason: string; ready: number; restarts: number } {
  const st = pod.status ?? {};
  let reason: string = st.reason ?? st.phase ?? 'Unknown';
  let restarts = 0;
  let ready = 0;
  let initializing = false;
  const inits: any[] = st.initContainerStatuses ?? [];
  const initCount = (pod.spec?.initContainers ?? []).length;
  for (const [i, c] of inits.entries()) {
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated?.exitCode === 0) continue;
    initializing = true;
    if (c.state?.terminated) reason = `Init:${c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${initCount}`;
    break;
  }
  if (!initializing) {
    restarts = 0;
    let running = false;
    for (const c of [...(st.containerStatuses ?? [])].reverse()) {
      restarts += c.restartCount ?? 0;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
      else if (c.state?.terminated) reason = `ExitCode:${c.state.terminated.exitCode}`;
      else if (c.ready && c.state?.running) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed' && running) reason = 'Running';
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return { reason, ready, restarts };
}

const age: Column = { name: 'Age', type: 'string', cell: (o) => humanAge(o.metadata.creationTimestamp) };
const name: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => o.metadata.name };

function columnsFor(def: ResourceDef): Column[] {
  switch (def.plural) {
    case 'pods':
      return [name,
        { name: 'Ready', type: 'string', cell: (o) => `${podDisplayStatus(o).ready}/${(o.spec?.containers ?? []).length}` },
        { name: 'Status', type: 'string', cell: (o) => podDisplayStatus(o).reason },
        { name: 'Restarts', type: 'string', cell: (o) => String(podDisplayStatus(o).restarts) },
        age,
        { name: 'IP', type: 'string', priority: 1, cell: (o) => o.status?.podIP ?? '<none>' },
        { name: 'Node', type: 'string', priority: 1, cell: (o) => o.spec?.nodeName ?? '<none>' }];
    case 'persistentvolumeclaims':
      return [name,
        { name: 'Status', type: 'string', cell: (o) => (o.metadata.deletionTimestamp ? 'Terminating' : o.status?.phase ?? '') },
        { name: 'Volume', type: 'string', cell: (o) => o.spec?.volumeName ?? '' },
        { name: 'Capacity', type: 'string', cell: (o) => o.status?.capacity?.storage ?? '' },
        { name: 'Access Modes', type: 'string', cell: (o) => (o.status?.accessModes ?? []).map((m: string) => ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' })[m] ?? m).join(',') },
        { name: 'StorageClass', type: 'string', cell: (o) => o.spec?.storageClassName ?? '' },
        age];
    case 'namespaces':
      return [name, { name: 'Status', type: 'string', cell: (o) => o.status?.phase ?? '' }, age];
    case 'nodes':
      return [name, { name: 'Status', type: 'string', cell: () => 'Ready' }, { name: 'Roles', type: 'string', cell: () => 'control-plane' }, age,
        { name: 'Version', type: 'string', cell: (o) => o.status?.nodeInfo?.kubeletVersion ?? '' }];
    case 'secrets':
      return [name, { name: 'Type', type: 'string', cell: (o) => o.type ?? '' },
        { name: 'Data', type: 'integer', cell: (o) => Object.keys(o.data ?? {}).length }, age];
    case 'serviceaccounts':
      return [name, { name: 'Secrets', type: 'integer', cell: (o) => (o.secrets ?? []).length }, age];
    case 'rolebindings':
    case 'clusterrolebindings':
      return [name, { name: 'Role', type: 'string', cell: (o) => `${o.roleRef?.kind}/${o.roleRef?.name}` }, age];
    case 'events':
      return [{ name: 'Last Seen', type: 'string', cell: (o) => humanAge(o.lastTimestamp ?? o.metadata.creationTimestamp) },
        { name: 'Type', type: 'string', cell: (o) => o.type ?? '' },
        { name: 'Reason', type: 'string', cell: (o) => o.reason ?? '' },
        { name: 'Object', type: 'string', cell: (o) => `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name ?? ''}` },
        { name: 'Message', type: 'string', cell: (o) => o.message ?? '' }, name];
    default:
      return [name, age];
  }
}

/** Converts objects to a `meta.k8s.io/v1` Table, what kubectl asks for with `Accept: …;as=Table`. */
export function toTable(def: ResourceDef, objects: KubeObject[], resourceVersion: string, includeObject: string | null): Record<string, unknown> {
  const cols = columnsFor(def);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.name, priority: c.priority ?? 0 })),
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: cols.map((c) => c.cell(o)) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      }
      return row;
    }),
  };
}

/** True when the Accept header asks for a Table. */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}
