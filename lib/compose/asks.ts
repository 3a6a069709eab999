import type { Ask } from '../policy/asks';
import type { ComposeProject } from './types';

/**
 * What a Compose project asks the engine for, in the provider policy's terms, so compose services
 * are judged like every other container: privileged, added capabilities, security options, host
 * binds, named and anonymous volumes, `network_mode: host` and external networks. Binds inside
 * the source run from the workspace volume and ask for nothing. Fields name what the user wrote:
 * `dockerComposeFile.services.db.privileged`, `dockerComposeFile.services.app.volumes[1]`.
 */
export function composeAsks(project: ComposeProject, prefix = 'dockerComposeFile'): Ask[] {
  const asks: Ask[] = [];
  for (const [name, s] of Object.entries(project.services)) {
    const at = `${prefix}.services.${name}`;
    if (s.privileged) asks.push({ field: `${at}.privileged`, kind: 'privileged' });
    s.capAdd.forEach((value, i) => asks.push({ field: `${at}.cap_add[${i}]`, kind: 'capability', value }));
    s.securityOpt.forEach((value, i) => asks.push({ field: `${at}.security_opt[${i}]`, kind: 'securityOpt', value }));
    if (s.networkMode === 'host') asks.push({ field: `${at}.network_mode`, kind: 'network', value: 'host' });
    s.volumes.forEach((v, i) => {
      const field = `${at}.volumes[${i}]`;
      if (v.type === 'host') asks.push({ field, kind: 'mount', mount: { type: 'bind', source: v.source, target: v.target, readonly: v.readOnly } });
      else if (v.type === 'volume') {
        // The engine name: an external or explicitly named volume is not scoped to the project.
        const top = project.volumes[v.source];
        const source = top?.name ?? v.source;
        asks.push({ field, kind: 'mount', mount: { type: 'volume', source, target: v.target, readonly: v.readOnly } });
      } else if (v.type === 'anonymous') asks.push({ field, kind: 'mount', mount: { type: 'volume', target: v.target, readonly: v.readOnly } });
    });
  }
  for (const [name, n] of Object.entries(project.networks)) {
    // Joining a network the project does not own reaches whatever else is on it.
    if (n.external) asks.push({ field: `${prefix}.networks.${name}`, kind: 'network', value: n.name ?? name });
  }
  return asks;
}
