import { ConfigMap, Event, Namespace, Node, PersistentVolumeClaim, Pod, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { NameRule } from './names';

/** A kubernetes-models class: constructing it and calling `validate()` checks the official schema. */
export type ModelClass = new (data?: any) => { validate(): void };

/** Everything the server needs to know about one resource type. */
export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresource names served under `/<name>/<sub>`. */
  subresources: string[];
  model: ModelClass;
  nameRule: NameRule;
  /** `status` is only written through the `/status` subresource. */
  statusSubresource: boolean;
  readOnly: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const RBAC = 'rbac.authorization.k8s.io';

function def(d: Partial<ResourceDef> & Pick<ResourceDef, 'plural' | 'singular' | 'kind' | 'model'>): ResourceDef {
  return {
    group: '', version: 'v1', namespaced: true, shortNames: [], categories: [], verbs: CRUD, subresources: [],
    nameRule: 'subdomain', statusSubresource: false, readOnly: false, ...d,
  };
}

/** The resource types the simulator serves. */
export const RESOURCES: readonly ResourceDef[] = [
  def({ plural: 'namespaces', singular: 'namespace', kind: 'Namespace', model: Namespace, namespaced: false, shortNames: ['ns'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: ['status'], nameRule: 'label', statusSubresource: true }),
  def({ plural: 'nodes', singular: 'node', kind: 'Node', model: Node, namespaced: false, shortNames: ['no'],
    verbs: ['get', 'list', 'watch'], subresources: ['status'], statusSubresource: true, readOnly: true }),
  def({ plural: 'pods', singular: 'pod', kind: 'Pod', model: Pod, shortNames: ['po'], categories: ['all'],
    subresources: ['status', 'log', 'exec'], statusSubresource: true }),
  def({ plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', model: PersistentVolumeClaim,
    shortNames: ['pvc'], subresources: ['status'], statusSubresource: true }),
  def({ plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', model: ServiceAccount, shortNames: ['sa'] }),
  def({ plural: 'secrets', singular: 'secret', kind: 'Secret', model: Secret }),
  def({ plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', model: ConfigMap, shortNames: ['cm'] }),
  def({ plural: 'events', singular: 'event', kind: 'Event', model: Event, shortNames: ['ev'] }),
  def({ group: RBAC, plural: 'roles', singular: 'role', kind: 'Role', model: Role, nameRule: 'segment' }),
  def({ group: RBAC, plural: 'rolebindings', singular: 'rolebinding', kind: 'RoleBinding', model: RoleBinding, nameRule: 'segment' }),
  def({ group: RBAC, plural: 'clusterroles', singular: 'clusterrole', kind: 'ClusterRole', model: ClusterRole, namespaced: false, nameRule: 'segment' }),
  def({ group: RBAC, plural: 'clusterrolebindings', singular: 'clusterrolebinding', kind: 'ClusterRoleBinding', model: ClusterRoleBinding,
    namespaced: false, nameRule: 'segment' }),
];

/** The API groups served, in discovery order (`''` is the legacy core group under `/api`). */
export const GROUPS: readonly string[] = ['', RBAC];

/** `v1` or `<group>/v1`. */
export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

/** Looks a resource up by group, version and plural name. */
export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Looks a resource up by kind (used for internal writes). */
export function resourceByKind(kind: string): ResourceDef {
  const d = RESOURCES.find((r) => r.kind === kind);
  if (!d) throw new Error(`kube-sim: unknown kind ${kind}`);
  return d;
}

/** Verbs of a subresource, as discovery reports them. */
export function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  if (sub === 'exec') return ['create', 'get'];
  return ['get', 'patch', 'update'];
}
