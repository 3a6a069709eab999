import { describe, expect, it } from 'vitest';
import { loadProvider, parseProviderYaml } from '../../../lib/config';
import {
  PAGE_DOCKER_EXAMPLE, PAGE_KUBERNETES_ALL_KEYS, PAGE_KUBERNETES_EXAMPLE, PAGE_KUBERNETES_EXAMPLE_AS_PRINTED,
} from './fixtures';
import { configErrorOf, fieldError } from './helpers';

describe("the drivers page's Docker example", () => {
  it('loads with its three keys typed', () => {
    const { agent } = loadProvider(PAGE_DOCKER_EXAMPLE, { name: 'page-docker' });
    expect(agent.driver).toBe('docker');
    expect(agent.containerInactivityTimeoutSeconds).toBe(300);
    expect(agent.docker).toEqual({ path: '/usr/bin/docker', install: false, env: {} });
    expect(agent.path).toBeUndefined();
  });

  it('needs a name from the caller, since the example has none', () => {
    const err = configErrorOf(() => loadProvider(PAGE_DOCKER_EXAMPLE));
    expect(fieldError(err, 'name').message).toMatch(/name is missing/);
  });
});

describe('every Docker key on the page reaches ResolvedAgent', () => {
  const cases: { key: string; yaml: string; expected: (a: ReturnType<typeof loadProvider>['agent']) => unknown; value: unknown }[] = [
    { key: 'path', yaml: '/usr/local/bin/podman', expected: (a) => a.docker.path, value: '/usr/local/bin/podman' },
    { key: 'install', yaml: 'true', expected: (a) => a.docker.install, value: true },
    { key: 'install', yaml: '"false"', expected: (a) => a.docker.install, value: false },
    { key: 'containerInactivityTimeout', yaml: '10m', expected: (a) => a.containerInactivityTimeoutSeconds, value: 600 },
  ];
  for (const c of cases) {
    it(`flat ${c.key}: ${c.yaml}`, () => {
      const r = loadProvider(`name: d\n${c.key}: ${c.yaml}\n`);
      expect(r.agent.driver).toBe('docker');
      expect(c.expected(r.agent)).toEqual(c.value);
    });
    it(`nested ${c.key}: ${c.yaml}`, () => {
      const nested = c.key === 'containerInactivityTimeout'
        ? `agent:\n  ${c.key}: ${c.yaml}\n`
        : `agent:\n  docker:\n    ${c.key}: ${c.yaml}\n`;
      expect(c.expected(loadProvider(`name: d\n${nested}`).agent)).toEqual(c.value);
    });
  }

  it('defaults docker.path to docker and install to false', () => {
    const { agent } = loadProvider('name: d\n');
    expect(agent.docker.path).toBe('docker');
    expect(agent.docker.install).toBe(false);
    expect(agent.containerInactivityTimeoutSeconds).toBe(0);
  });
});

describe('every Kubernetes key on the page reaches ResolvedAgent', () => {
  const cases: [key: string, yaml: string, expected: unknown][] = [
    ['path', '/usr/bin/kubectl', '/usr/bin/kubectl'],
    ['namespace', 'my-namespace-for-devpod', 'my-namespace-for-devpod'],
    ['context', 'default', 'default'],
    ['config', '/home/dev/.kube/config', '/home/dev/.kube/config'],
    ['clusterRole', 'edit', 'edit'],
    ['serviceAccount', 'devpod-sa', 'devpod-sa'],
    ['buildRepository', 'registry.example.com/team/devpod', 'registry.example.com/team/devpod'],
    ['helperImage', '"ubuntu:latest"', 'ubuntu:latest'],
    ['buildkitImage', '"moby/buildkit"', 'moby/buildkit'],
    ['buildkitPrivileged', 'true', true],
    ['persistentVolumeSize', '20Gi', '20Gi'],
    ['createNamespace', 'true', true],
  ];
  it('covers all twelve keys of the page', () => expect(cases.map((c) => c[0])).toHaveLength(12));
  for (const [key, yaml, expected] of cases) {
    it(`flat ${key}`, () => {
      const { agent } = loadProvider(`name: k\ndriver: kubernetes\n${key}: ${yaml}\n`);
      expect(agent.driver).toBe('kubernetes');
      expect(agent.kubernetes[key as keyof typeof agent.kubernetes]).toEqual(expected);
    });
    it(`nested agent.kubernetes.${key}`, () => {
      const { agent } = loadProvider(`name: k\nagent:\n  driver: kubernetes\n  kubernetes:\n    ${key}: ${yaml}\n`);
      expect(agent.kubernetes[key as keyof typeof agent.kubernetes]).toEqual(expected);
    });
  }

  it('applies the defaults when keys are left out', () => {
    const { kubernetes } = loadProvider('name: k\ndriver: kubernetes\n').agent;
    expect(kubernetes).toEqual({
      path: 'kubectl', namespace: '', context: '', config: '', clusterRole: '', serviceAccount: '',
      buildRepository: '', helperImage: '', buildkitImage: '', buildkitPrivileged: false,
      persistentVolumeSize: '10Gi', createNamespace: false, storageClassName: '', pvcAccessMode: 'ReadWriteOnce',
      nodeSelector: {}, labels: {},
    });
  });

  it('reads booleans written as strings', () => {
    const { kubernetes } = loadProvider('name: k\ndriver: kubernetes\nbuildkitPrivileged: "True"\ncreateNamespace: "false"\n').agent;
    expect(kubernetes.buildkitPrivileged).toBe(true);
    expect(kubernetes.createNamespace).toBe(false);
  });
});

describe("the page's Kubernetes example", () => {
  it('loads once its block scalar is indented', () => {
    const r = loadProvider(PAGE_KUBERNETES_EXAMPLE);
    expect(r.definition.name).toBe('simple-kubernetes');
    expect(r.definition.version).toBe('v0.0.1');
    expect(r.agent.driver).toBe('kubernetes');
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(300);
    expect(r.agent.kubernetes.persistentVolumeSize).toBe('20Gi');
    expect(r.agent.kubernetes.createNamespace).toBe(true);
    expect(r.agent.kubernetes.buildRepository).toBe('');
    // `path: ${DEVPOD}` is DevPod's agent path, not kubectl's.
    expect(r.agent.path).toBe('workbay');
    expect(r.agent.kubernetes.path).toBe('kubectl');
    expect(r.definition.agent.path).toBe('${DEVPOD}');
    expect(r.definition.exec).toEqual({ command: '${DEVPOD} helper sh -c "${COMMAND}"' });
  });

  it('warns that exec.command is stored but never run', () => {
    const { warnings } = parseProviderYaml(PAGE_KUBERNETES_EXAMPLE);
    expect(warnings).toEqual([expect.stringMatching(/exec\.command.*never run.*Docker and Kubernetes APIs/)]);
  });

  it('is refused as printed, with the line and a hint to indent the block scalar', () => {
    const err = configErrorOf(() => parseProviderYaml(PAGE_KUBERNETES_EXAMPLE_AS_PRINTED));
    const e = fieldError(err, 'command');
    expect(e.line).toBe(18);
    expect(e.column).toBe(1);
    expect(e.message).toMatch(/line 17/);
    expect(e.hint).toMatch(/indented under its key/);
    expect(e.hint).toContain('command: |-\n  ${DEVPOD} helper sh -c "${COMMAND}"');
    expect(err.message).toMatch(/^invalid provider file: command:/);
  });

  it('loads with every commented-out key enabled', () => {
    const { agent } = loadProvider(PAGE_KUBERNETES_ALL_KEYS);
    expect(agent.path).toBe('workbay');
    expect(agent.kubernetes).toMatchObject({
      namespace: 'my-namespace-for-devpod', context: 'default', clusterRole: '', serviceAccount: '',
      helperImage: 'ubuntu:latest', buildkitImage: 'moby/buildkit', buildkitPrivileged: false,
    });
  });

  it('refuses both path lines enabled, as a duplicate key with its line', () => {
    const both = PAGE_KUBERNETES_EXAMPLE.replace('# path: /usr/bin/kubectl', 'path: /usr/bin/kubectl');
    const e = fieldError(configErrorOf(() => parseProviderYaml(both)), 'document');
    expect(e.message).toMatch(/unique/);
    expect(e.line).toBe(6);
  });
});

describe('the flat form path rule', () => {
  it('reads path: ${DEVPOD} as the agent path', () => {
    expect(loadProvider('name: p\npath: ${DEVPOD}\n').agent.path).toBe('workbay');
  });
  it("reads any other path as the driver's binary", () => {
    const k = loadProvider('name: p\ndriver: kubernetes\npath: /opt/kubectl\n').agent;
    expect(k.kubernetes.path).toBe('/opt/kubectl');
    expect(k.path).toBeUndefined();
    expect(loadProvider('name: p\npath: /usr/bin/podman\n').agent.docker.path).toBe('/usr/bin/podman');
  });
  it('refuses a flat key that contradicts the nested one', () => {
    const err = configErrorOf(() => parseProviderYaml('name: p\ndriver: kubernetes\nagent:\n  driver: docker\n'));
    expect(fieldError(err, 'agent.driver').message).toMatch(/conflicts/);
  });
});
