import { WorkbayError } from '../../../errors';
import type { ComposeDependency } from '../../../compose/types';

/** What ordering needs of a service: its dependencies and a `network_mode: service:x` it joins. */
export interface Orderable {
  dependsOn: Record<string, ComposeDependency>;
  networkMode?: string;
}

/** Services a service needs before it: `depends_on` and the one whose network it joins. */
export function needs(s: Orderable): string[] {
  const joined = s.networkMode?.startsWith('service:') ? [s.networkMode.slice('service:'.length)] : [];
  return [...new Set([...Object.keys(s.dependsOn), ...joined])];
}

/**
 * The services to run: `runServices` (all when absent or empty) plus the dev service, closed under
 * their dependencies.
 *
 * @throws WorkbayError `config.invalid` naming a service that the project does not define.
 */
export function selectServices(services: Record<string, Orderable>, dev: string, runServices?: string[]): Set<string> {
  const wanted = runServices?.length ? [...runServices, dev] : Object.keys(services);
  const out = new Set<string>();
  const visit = (name: string, from: string) => {
    if (out.has(name)) return;
    const s = services[name];
    if (!s) {
      throw new WorkbayError('config.invalid', `${from} names service "${name}", which the compose files do not define`, {
        errors: [{ field: from, message: `no service "${name}" (services: ${Object.keys(services).join(', ')})` }],
      });
    }
    out.add(name);
    for (const d of needs(s)) visit(d, `services.${name}.depends_on`);
  };
  visit(dev, 'devcontainer.service');
  for (const w of wanted) visit(w, 'devcontainer.runServices');
  return out;
}

/**
 * The start order of `names`: every service after what it needs, ties by name so the order is the
 * same on every pass. Dependencies outside `names` are ignored (start acts on what exists).
 *
 * @throws WorkbayError `config.invalid` when dependencies form a cycle.
 */
export function startOrder(services: Record<string, Orderable>, names: Iterable<string>): string[] {
  const pending = new Set(names);
  const done: string[] = [];
  while (pending.size) {
    const ready = [...pending].filter((n) => needs(services[n]!).every((d) => !pending.has(d))).sort();
    if (!ready.length) {
      const cycle = [...pending].sort().join(', ');
      throw new WorkbayError('config.invalid', `the services ${cycle} depend on each other in a cycle`, {
        errors: [{ field: 'services', message: `dependency cycle among ${cycle}` }],
      });
    }
    for (const n of ready) {
      pending.delete(n);
      done.push(n);
    }
  }
  return done;
}
