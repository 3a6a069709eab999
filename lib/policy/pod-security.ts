import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Policy } from './types';

/** Capabilities Pod Security "baseline" lets a container add. */
export const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

/** What a policy lets a pod have beyond baseline. */
function allowances(policy?: Policy) {
  return {
    privileged: policy?.privileged ?? false,
    capabilities: new Set(policy?.capabilities ?? []),
    hostNetwork: policy?.networks.includes('host') ?? false,
    hostPID: policy?.hostNamespaces.includes('pid') ?? false,
    hostIPC: policy?.hostNamespaces.includes('ipc') ?? false,
  };
}

/**
 * Checks a pod against the Pod Security Standards "baseline" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline), letting through
 * only what `policy` explicitly allows beyond it (privileged, added capabilities, host network, PID
 * and IPC namespaces). Host paths and host ports are never let through.
 *
 * @returns one `path: rule` line per breach; empty when the pod meets the profile.
 */
export function podSecurityViolations(pod: V1Pod, policy?: Policy): string[] {
  const allow = allowances(policy);
  const out: string[] = [];
  const spec = pod.spec;
  if (!spec) return out;
  if (spec.hostNetwork && !allow.hostNetwork) out.push('spec.hostNetwork: host namespaces are not allowed');
  if (spec.hostPID && !allow.hostPID) out.push('spec.hostPID: host namespaces are not allowed');
  if (spec.hostIPC && !allow.hostIPC) out.push('spec.hostIPC: host namespaces are not allowed');
  (spec.volumes ?? []).forEach((v, i) => {
    if (v.hostPath) out.push(`spec.volumes[${i}].hostPath: hostPath volumes are not allowed`);
  });
  for (const sysctl of spec.securityContext?.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) out.push(`spec.securityContext.sysctls: ${sysctl.name} is not a safe sysctl`);
  }
  const seLinux = (path: string, o?: { type?: string; user?: string; role?: string }) => {
    if (!o) return;
    if (!SELINUX_TYPES.has(o.type ?? '')) out.push(`${path}.seLinuxOptions.type: ${o.type} is not allowed`);
    if (o.user || o.role) out.push(`${path}.seLinuxOptions: user and role may not be set`);
  };
  seLinux('spec.securityContext', spec.securityContext?.seLinuxOptions);
  if (spec.securityContext?.seccompProfile?.type === 'Unconfined') out.push('spec.securityContext.seccompProfile: Unconfined is not allowed');
  const groups: [string, V1Container[] | undefined][] = [
    ['containers', spec.containers], ['initContainers', spec.initContainers], ['ephemeralContainers', spec.ephemeralContainers as V1Container[] | undefined],
  ];
  for (const [group, list] of groups) {
    (list ?? []).forEach((c, i) => {
      const at = `spec.${group}[${i}]`;
      const sc = c.securityContext;
      if (sc?.privileged && !allow.privileged) out.push(`${at}.securityContext.privileged: privileged containers are not allowed`);
      for (const cap of sc?.capabilities?.add ?? []) {
        if (!BASELINE_CAPABILITIES.has(cap) && !allow.capabilities.has(cap) && !allow.capabilities.has('ALL') && !allow.privileged) {
          out.push(`${at}.securityContext.capabilities.add: ${cap} is beyond baseline`);
        }
      }
      if (sc?.procMount && sc.procMount !== 'Default') out.push(`${at}.securityContext.procMount: only Default is allowed`);
      if (sc?.seccompProfile?.type === 'Unconfined') out.push(`${at}.securityContext.seccompProfile: Unconfined is not allowed`);
      seLinux(`${at}.securityContext`, sc?.seLinuxOptions);
      (c.ports ?? []).forEach((p, j) => {
        if (p.hostPort) out.push(`${at}.ports[${j}].hostPort: host ports are not allowed`);
      });
    });
  }
  return out;
}
