import { GROUPS, RESOURCES, subresourceVerbs, type ResourceDef } from './resources';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The `/version` body. */
export const VERSION_INFO = {
  major: '1', minor: '30', gitVersion: 'v1.30.0-kube-sim', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2024-04-17T00:00:00Z', goVersion: 'go1.22.2', compiler: 'gc', platform: 'linux/amd64',
};

/** True when the client asked for aggregated discovery (kubectl ≥ 1.26 does) in a version we serve. */
export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.split(',').some((a) => /g=apidiscovery\.k8s\.io/.test(a) && /v=v2(;|$)/.test(a.replace(/\s/g, '')) && /as=APIGroupDiscoveryList/.test(a));
}

/** Content type of an aggregated discovery response. */
export const AGGREGATED_CONTENT_TYPE = AGGREGATED;

function resourcesOf(group: string): ResourceDef[] {
  return RESOURCES.filter((r) => r.group === group);
}

/** `APIResourceList` for `/api/v1` or `/apis/<group>/v1`. */
export function resourceList(group: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of resourcesOf(group)) {
    const entry: Record<string, unknown> = {
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
      storageVersionHash: Buffer.from(`${r.group}/${r.plural}`).toString('base64').slice(0, 11),
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const sub of r.subresources) {
      resources.push({ name: `${r.plural}/${sub}`, singularName: '', namespaced: r.namespaced, kind: sub === 'exec' ? 'PodExecOptions' : r.kind, verbs: subresourceVerbs(sub) });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}

/** `APIVersions` for `/api`. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `APIGroup` for `/apis/<group>`. */
export function apiGroup(group: string): Record<string, unknown> {
  const gv = { groupVersion: `${group}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv], preferredVersion: gv };
}

/** `APIGroupList` for `/apis`. */
export function apiGroupList(): Record<string, unknown> {
  const groups = GROUPS.filter((g) => g !== '').map((g) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g);
    return rest;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function discoveryGroup(group: string): Record<string, unknown> {
  const resources = resourcesOf(group).map((r) => {
    const entry: Record<string, unknown> = {
      resource: r.plural, responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singular, verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    if (r.subresources.length) {
      entry.subresources = r.subresources.map((sub) => ({
        subresource: sub,
        responseKind: { group: r.group, version: r.version, kind: sub === 'exec' ? 'PodExecOptions' : r.kind },
        verbs: subresourceVerbs(sub),
      }));
    }
    return entry;
  });
  return { metadata: group ? { name: group } : {}, versions: [{ version: 'v1', resources, freshness: 'Current' }] };
}

/** Aggregated discovery (`apidiscovery.k8s.io/v2`) for `/api` (core) or `/apis` (all named groups). */
export function aggregatedDiscovery(core: boolean): Record<string, unknown> {
  const groups = core ? [''] : GROUPS.filter((g) => g !== '');
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groups.map(discoveryGroup) };
}
