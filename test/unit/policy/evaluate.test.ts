import { describe, expect, it } from 'vitest';
import { loadProvider, parseDevcontainer } from '../../../lib/config';
import { DEFAULT_POLICY, evaluate, judgeTimeout, decideResources, type Policy } from '../../../lib/policy';
import { configErrorOf } from '../config/helpers';

const policyOf = (yaml: string): Policy => loadProvider(`name: p\nworkbay:\n  policy:\n${yaml.replace(/^/gm, '    ')}\n`).definition.policy;
const dc = (obj: Record<string, unknown>) => parseDevcontainer(JSON.stringify({ image: 'busybox', ...obj }));
const fields = (p: Policy, obj: Record<string, unknown>, metadata?: unknown[]) =>
  evaluate(p, { image: 'busybox', devcontainer: dc(obj), metadata }).map((v) => `${v.field} ${v.rule}`);

describe('the default policy (no workbay section) denies every escape, naming the field', () => {
  it('refuses host binds, the Docker socket, host network, added capabilities and privileged', () => {
    expect(loadProvider('name: p\n').definition.policy).toEqual(DEFAULT_POLICY);
    expect(fields(DEFAULT_POLICY, {
      mounts: ['source=/,target=/host,type=bind', 'source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind', 'source=cache,target=/cache,type=volume', { type: 'tmpfs', target: '/t' }],
      runArgs: ['--network=host', '--cap-add=SYS_ADMIN', '--privileged'],
      privileged: true, capAdd: ['NET_ADMIN'], securityOpt: ['seccomp=unconfined', 'no-new-privileges'],
    })).toEqual([
      'devcontainer.mounts[0] policy.mounts.types',
      'devcontainer.mounts[1] policy.mounts.types',
      'devcontainer.runArgs[0] policy.networks',
      'devcontainer.runArgs[1] policy.capabilities',
      'devcontainer.runArgs[2] policy.privileged',
      'devcontainer.privileged policy.privileged',
      'devcontainer.capAdd[0] policy.capabilities',
      'devcontainer.securityOpt[0] policy.securityOptions',
    ]);
  });
  it('judges -v, --mount, --device and host namespaces in runArgs', () => {
    expect(fields(DEFAULT_POLICY, {
      runArgs: ['-v', '/etc:/etc', '--mount=type=bind,source=/root,target=/r', '-v=data:/data', '--device=/dev/kvm', '--pid=host', '--ipc', 'host', '--network=container:abc', '-v', 'workbay-01other:/steal'],
    })).toEqual([
      'devcontainer.runArgs[0] policy.mounts.types',
      'devcontainer.runArgs[2] policy.mounts.types',
      'devcontainer.runArgs[4] policy.devices',
      'devcontainer.runArgs[5] policy.hostNamespaces',
      'devcontainer.runArgs[6] policy.hostNamespaces',
      'devcontainer.runArgs[8] policy.networks',
      'devcontainer.runArgs[9] policy.mounts.reserved',
    ]);
  });
  it('one metadata label entry asking for privileged or a host bind is enough to refuse', () => {
    expect(fields(DEFAULT_POLICY, {}, [{ id: 'base' }, { privileged: true }, { mounts: ['source=/var/run/docker.sock,target=/s,type=bind'] }, { capAdd: ['SYS_ADMIN'] }]))
      .toEqual(['image.metadata[1].privileged policy.privileged', 'image.metadata[2].mounts[0] policy.mounts.types', 'image.metadata[3].capAdd[0] policy.capabilities']);
    expect(evaluate(DEFAULT_POLICY, { metadata: 'not json' }).map((v) => v.rule)).toEqual(['policy.metadata']);
    expect(evaluate(DEFAULT_POLICY, { metadata: '[{"id":"x","init":true}]' })).toEqual([]);
  });
});

describe('a policy allows exactly what it lists', () => {
  const open = policyOf(`mounts: { types: [bind, volume, tmpfs], hostPaths: [/srv/shared, /var/run/docker.sock] }
privileged: true
capabilities: [sys_admin, CAP_NET_ADMIN]
securityOptions: ["seccomp="]
networks: [host]
images: [busybox, registry.example.com/team/]`);
  it('the same escapes pass, and host paths are matched by whole segments', () => {
    expect(fields(open, {
      mounts: ['source=/srv/shared/x,target=/x,type=bind', 'source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind'],
      runArgs: ['--network=host', '--cap-add=SYS_ADMIN', '--privileged', '--security-opt', 'seccomp=unconfined'], capAdd: ['NET_ADMIN'],
    })).toEqual([]);
    expect(fields(open, { mounts: ['source=/srv/shared-other,target=/x,type=bind', 'source=/srv/shared/../../etc,target=/y,type=bind', 'source=/,target=/host,type=bind'] }))
      .toEqual(['devcontainer.mounts[0] policy.mounts.hostPaths', 'devcontainer.mounts[1] policy.mounts.hostPaths', 'devcontainer.mounts[2] policy.mounts.hostPaths']);
  });
  it('images by prefix; a Dockerfile build is refused when images are restricted', () => {
    expect(evaluate(open, { image: 'registry.example.com/team/app:1' })).toEqual([]);
    expect(evaluate(open, { image: 'evil.example.com/x' }).map((v) => `${v.field} ${v.rule}`)).toEqual(['image policy.images']);
    expect(evaluate(open, { devcontainer: parseDevcontainer('{"build": {"dockerfile": "Dockerfile"}}') }).map((v) => v.field)).toEqual(['devcontainer.build']);
  });
});

describe('resources and timeouts', () => {
  const p = policyOf('resources: { cpus: { default: "2", max: "4" }, memory: { default: 4Gi, max: 8Gi } }\nmaxInactivityTimeout: 8h');
  it('applies defaults, keeps requests within the ceiling and refuses requests above it', () => {
    expect(decideResources(p, {})).toEqual({ cpuMillis: 2000, memoryBytes: 4 * 2 ** 30, violations: [] });
    expect(decideResources(p, { hostRequirements: { cpus: 3, memory: '6gb' } })).toMatchObject({ cpuMillis: 3000, memoryBytes: 6 * 2 ** 30, violations: [] });
    expect(evaluate(p, { devcontainer: dc({ hostRequirements: { cpus: 8, memory: '16gb' } }) }).map((v) => `${v.field} ${v.rule}`))
      .toEqual(['devcontainer.hostRequirements.cpus policy.resources.cpus.max', 'devcontainer.hostRequirements.memory policy.resources.memory.max']);
  });
  it('refuses a requested timeout above the maximum (or never), clamps the provider default', () => {
    expect(judgeTimeout(p, 3600, true)).toEqual({ seconds: 3600 });
    expect(judgeTimeout(p, 0, true).violation?.rule).toBe('policy.maxInactivityTimeout');
    expect(judgeTimeout(p, 9 * 3600, true).violation?.field).toBe('inactivityTimeout');
    expect(judgeTimeout(p, 0, false)).toEqual({ seconds: 8 * 3600 });
  });
});

describe('the workbay section is validated like the rest of the provider file', () => {
  it('reports every problem with line and column', () => {
    const err = configErrorOf(() => loadProvider(`name: p
workbay:
  policy:
    privileged: "yes"
    mounts: { types: [bind, nfs], hostPaths: [relative/path] }
    capabilites: [SYS_ADMIN]
    resources: { cpus: { default: "8", max: "4" }, memory: { max: 8GB } }
    maxInactivityTimeout: soon
    quotas: { workspaces: -1 }
`));
    const at = (field: string) => err.errors.find((e) => e.field === field);
    expect(at('workbay.policy.privileged')).toMatchObject({ line: 4, message: 'expected true or false, got "yes"' });
    expect(at('workbay.policy.mounts.types[1]')).toMatchObject({ line: 5 });
    expect(at('workbay.policy.mounts.hostPaths[0]')?.message).toMatch(/absolute path/);
    expect(at('workbay.policy.capabilites')).toMatchObject({ line: 6, column: 5 });
    expect(at('workbay.policy.resources.cpus.default')?.message).toBe('default is above max');
    expect(at('workbay.policy.resources.memory.max')?.message).toMatch(/Kubernetes quantity/);
    expect(at('workbay.policy.maxInactivityTimeout')).toMatchObject({ line: 8 });
    expect(at('workbay.policy.quotas.workspaces')).toMatchObject({ line: 9 });
  });
});
