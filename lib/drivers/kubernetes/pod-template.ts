import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { WorkbayError } from '../../errors';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Lists of named entries are merged by name (containers, volumes, env); other lists are replaced. */
const NAMED_LISTS = new Set(['containers', 'initContainers', 'volumes', 'volumeMounts', 'env']);

function merge(base: unknown, over: unknown, key = ''): unknown {
  if (over === undefined) return base;
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v, k);
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over) && NAMED_LISTS.has(key)) {
    const byName = new Map<string, unknown>();
    for (const item of base) byName.set(String((item as Obj).name), item);
    for (const item of over) byName.set(String((item as Obj).name), merge(byName.get(String((item as Obj).name)), item));
    return [...byName.values()];
  }
  return over;
}

/** Parses `podManifestTemplate` (a Pod in YAML or JSON). */
export function parsePodTemplate(text: string): V1Pod {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new WorkbayError('config.invalid', `podManifestTemplate is not valid YAML: ${(err as Error).message}`, {
      errors: [{ field: 'agent.kubernetes.podManifestTemplate', message: (err as Error).message }],
    });
  }
  if (!isObj(doc) || (doc.kind !== undefined && doc.kind !== 'Pod')) {
    throw new WorkbayError('config.invalid', 'podManifestTemplate must be a Pod manifest', {
      errors: [{ field: 'agent.kubernetes.podManifestTemplate', message: 'expected a YAML mapping with kind: Pod' }],
    });
  }
  return doc as V1Pod;
}

/**
 * Lays workbay's pod over the template: the template contributes what workbay does not set
 * (tolerations, sidecars, security context, extra volumes, annotations); workbay's name, labels,
 * dev container and workspace volume win.
 */
export function applyPodTemplate(template: V1Pod | undefined, pod: V1Pod): V1Pod {
  if (!template) return pod;
  const { status: _s, ...rest } = template as V1Pod & { status?: unknown };
  const merged = merge({ ...rest, metadata: { ...rest.metadata, name: undefined, namespace: undefined, generateName: undefined } }, pod) as V1Pod;
  return merged;
}
