import type { Reporter } from './report';
import type { ComposeProject } from './types';

/**
 * Checks what services name: `depends_on` and `network_mode: service:x` name services of the
 * project, networks are declared at the top level, `network_mode` and
 * `networks` are not both set, and `depends_on` has no cycle (the start order must exist).
 */
export function checkReferences(project: ComposeProject, report: Reporter): void {
  const services = project.services;
  for (const [name, s] of Object.entries(services)) {
    const at = (...rest: string[]) => ['services', name, ...rest];
    for (const dep of Object.keys(s.dependsOn)) {
      if (dep === name) report.merged(at('depends_on', dep), `service ${JSON.stringify(name)} depends on itself`);
      else if (!Object.hasOwn(services, dep)) report.merged(at('depends_on', dep), `depends on ${JSON.stringify(dep)}, which is not a service of this project (services: ${Object.keys(services).join(', ')})`);
    }
    if (s.networkMode?.startsWith('service:')) {
      const other = s.networkMode.slice('service:'.length);
      if (other === name || !Object.hasOwn(services, other)) {
        report.merged(at('network_mode'), `network_mode names ${JSON.stringify(other)}, which is not another service of this project`);
      }
    }
    if (s.networkMode !== undefined && Object.keys(s.networks).length > 0) {
      report.merged(at('network_mode'), 'network_mode and networks cannot both be set');
    }
    for (const net of Object.keys(s.networks)) {
      if (!Object.hasOwn(project.networks, net)) {
        report.merged(at('networks', net), `network ${JSON.stringify(net)} is not declared under the top-level networks`, `Add it: networks:\n  ${net}: {}`);
      }
    }
  }
  const cycle = findCycle(project);
  if (cycle) {
    report.merged(['services', cycle[0]!, 'depends_on', cycle[1]!], `depends_on has a cycle: ${cycle.join(' -> ')}`, 'Services start in dependency order, so one of these dependencies must go.');
  }
}

/** The first cycle in depends_on, as a path that ends where it starts; iterative, linear in the edges. */
export function findCycle(project: ComposeProject): string[] | undefined {
  const state = new Map<string, 'active' | 'done'>();
  for (const start of Object.keys(project.services)) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: { name: string; deps: string[]; next: number }[] = [];
    const enter = (name: string) => {
      state.set(name, 'active');
      path.push(name);
      stack.push({ name, deps: Object.keys(project.services[name]?.dependsOn ?? {}), next: 0 });
    };
    enter(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next >= top.deps.length) {
        state.set(top.name, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const dep = top.deps[top.next++]!;
      if (!Object.hasOwn(project.services, dep) || dep === top.name) continue;
      const s = state.get(dep);
      if (s === 'active') return [...path.slice(path.indexOf(dep)), dep];
      if (s === undefined) enter(dep);
    }
  }
  return undefined;
}
