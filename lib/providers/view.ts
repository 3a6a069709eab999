import type { ResolvedAgent, ResolvedProvider } from '../config';
import { exactly } from '../exact';
import { optionReferences } from '../config/provider-user-options';
import { inlineSecretKind } from '../secrets/inline';
import type { ProviderRecord } from '../store';
import { MASK, type OptionView, type ProviderView } from './view-schema';

export { MASK, type OptionView, type ProviderView } from './view-schema';

/** The typed agent's field names that are spelled differently in the provider file. */
const RAW_NAME: Readonly<Record<string, string>> = { containerInactivityTimeoutSeconds: 'containerInactivityTimeout' };

/**
 * The resolved agent with every field fed by a `password` option replaced, as a whole, by MASK.
 * Masking goes by field (which `${NAME}` the file wrote there), never by searching other values for
 * the secret's text: a short password such as `tmp` must not rewrite (and so reveal itself in)
 * `unix:///tmp/docker.sock` elsewhere. Any string that holds inline secret material (a provider
 * stored before such material was refused) is masked too.
 */
export function maskAgent(r: ResolvedProvider): ResolvedAgent {
  const passwords = new Set(Object.keys(r.definition.options).filter((n) => r.definition.options[n]!.password));
  const fed = new Set<string>();
  for (const [field, names] of optionReferences(r.definition.agent)) {
    if (names.some((n) => passwords.has(n))) fed.add(field);
  }
  return maskFields(r.agent, 'agent', fed);
}

/** Replaces, as a whole, each value at a field in `fed` and each string holding inline secret material. */
function maskFields<T>(tree: T, root: string, fed: ReadonlySet<string> = new Set()): T {
  const walk = (node: unknown, field: string): unknown => {
    if (fed.has(field)) return MASK;
    if (typeof node === 'string') return inlineSecretKind(node) ? MASK : node;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${field}[${i}]`));
    if (node && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, `${field}.${RAW_NAME[k] ?? k}`)]));
    }
    return node;
  };
  return walk(tree, root) as T;
}

/** Builds the API view of a stored, resolved provider. */
export function providerView(rec: ProviderRecord, r: ResolvedProvider): ProviderView {
  const options: OptionView[] = Object.entries(r.definition.options).map(([name, def]) => {
    const value = r.values[name];
    const source = name in r.setValues ? 'set' : value !== undefined ? 'default' : 'unset';
    const hide = (v: string) => (def.password || inlineSecretKind(v) ? MASK : v);
    return {
      name, ...def,
      ...(def.default !== undefined ? { default: hide(def.default) } : {}),
      ...(value === undefined ? {} : { value: hide(value) }),
      source,
    };
  });
  const agent = maskAgent(r);
  // A timeout fed by a password option is masked with the rest of the agent, so it is a string then.
  const timeout: unknown = agent.containerInactivityTimeoutSeconds;
  return exactly<ProviderView>()({
    name: rec.name,
    version: r.definition.version,
    description: r.definition.description,
    driver: r.agent.driver,
    inactivityTimeoutSeconds: typeof timeout === 'number' ? timeout : MASK,
    // Spread into plain objects: interfaces carry no index signature, the JSON view's records do.
    agent: { ...agent },
    options,
    exec: maskFields(r.definition.exec, 'exec'),
    policy: { ...r.definition.policy },
    warnings: r.definition.warnings,
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
  });
}
