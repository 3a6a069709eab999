import { describe, expect, it } from 'vitest';
import { loadProvider, parseProviderYaml, resolveProvider } from '../../../lib/config';
import { DEVPOD_DOCKER_PROVIDER, DEVPOD_KUBERNETES_PROVIDER, NEWER_SPELLINGS_PROVIDER } from './fixtures';
import { configErrorOf, fieldError } from './helpers';

describe("DevPod's own docker provider (nested form)", () => {
  it('resolves with the option defaults', () => {
    const r = loadProvider(DEVPOD_DOCKER_PROVIDER);
    expect(r.values).toEqual({ DOCKER_PATH: 'docker' });
    expect(r.setValues).toEqual({});
    expect(r.agent).toEqual({
      driver: 'docker',
      local: true,
      containerInactivityTimeoutSeconds: 0,
      docker: { path: 'docker', install: false, env: { DOCKER_HOST: '' } },
      kubernetes: expect.objectContaining({ path: 'kubectl' }),
    });
  });

  it('resolves -o style values: they override defaults and fill ${NAME}s', () => {
    const r = loadProvider(DEVPOD_DOCKER_PROVIDER, {
      options: { INACTIVITY_TIMEOUT: '10m', DOCKER_PATH: '/usr/bin/podman', DOCKER_HOST: 'tcp://127.0.0.1:2376' },
    });
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(600);
    expect(r.agent.docker).toEqual({ path: '/usr/bin/podman', install: false, env: { DOCKER_HOST: 'tcp://127.0.0.1:2376' } });
    expect(r.values.DOCKER_PATH).toBe('/usr/bin/podman');
    expect(r.setValues).toEqual({ INACTIVITY_TIMEOUT: '10m', DOCKER_PATH: '/usr/bin/podman', DOCKER_HOST: 'tcp://127.0.0.1:2376' });
  });

  it('upper-cases option names as devpod -o does', () => {
    const r = loadProvider(DEVPOD_DOCKER_PROVIDER, { options: { inactivity_timeout: '300' } });
    expect(r.setValues).toEqual({ INACTIVITY_TIMEOUT: '300' });
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(300);
  });

  it('keeps exec verbatim, unsubstituted, and keeps the metadata', () => {
    const def = parseProviderYaml(DEVPOD_DOCKER_PROVIDER);
    expect(def.exec.command).toBe('"${DEVPOD}" helper sh -c "${COMMAND}"');
    expect(String(def.exec.init)).toContain('DOCKER_HOST=${DOCKER_HOST} ${DOCKER_PATH} ps');
    expect(def.agent.containerInactivityTimeout).toBe('${INACTIVITY_TIMEOUT}');
    expect(def.icon).toBe('https://devpod.sh/assets/docker.svg');
    expect(def.optionGroups).toHaveLength(1);
    expect(def.options.DOCKER_HOST).toEqual({ global: true, description: 'The docker host to use.' });
    expect(def.warnings).toEqual([expect.stringMatching(/exec\.init, exec\.command\) are stored and shown but never run/)]);
  });

  it('refuses a bad timeout set as an option, naming where it came from', () => {
    const err = configErrorOf(() => loadProvider(DEVPOD_DOCKER_PROVIDER, { options: { INACTIVITY_TIMEOUT: '10 minutes' } }));
    const e = fieldError(err, 'agent.containerInactivityTimeout');
    expect(e.message).toBe('"10 minutes" is not a duration (from ${INACTIVITY_TIMEOUT})');
    expect(e.line).toBe(23);
    expect(e.hint).toMatch(/1h30m/);
  });

  it('lets a caller-supplied name override the file', () => {
    expect(loadProvider(DEVPOD_DOCKER_PROVIDER, { name: 'remote-docker' }).definition.name).toBe('remote-docker');
  });
});

describe("DevPod's A-era kubernetes provider", () => {
  it('resolves with its defaults', () => {
    const r = loadProvider(DEVPOD_KUBERNETES_PROVIDER);
    expect(r.values).toEqual({ DISK_SIZE: '10Gi', CREATE_NAMESPACE: 'true', KUBECTL_PATH: 'kubectl' });
    expect(r.agent.driver).toBe('kubernetes');
    expect(r.agent.path).toBe('workbay');
    expect(r.agent.kubernetes).toMatchObject({
      path: 'kubectl', namespace: '', persistentVolumeSize: '10Gi', createNamespace: true, buildkitPrivileged: false,
    });
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(0);
  });

  it('warns that the namespace command is never run, saying what workbay uses instead', () => {
    const { warnings } = parseProviderYaml(DEVPOD_KUBERNETES_PROVIDER);
    expect(warnings).toContain(
      'option KUBERNETES_NAMESPACE computes its value with a local command, which workbay never runs: unless the option is set, ' +
        'agent.kubernetes.namespace gets "" and so means the kubeconfig context\'s namespace, else "default"',
    );
  });

  it('maps every option into agent.kubernetes', () => {
    const r = loadProvider(DEVPOD_KUBERNETES_PROVIDER, {
      options: {
        KUBECTL_PATH: '/usr/local/bin/kubectl', KUBERNETES_NAMESPACE: 'team-a', KUBERNETES_CONTEXT: 'prod',
        KUBERNETES_CONFIG: 'secret:kubeconfig-prod', CLUSTER_ROLE: 'view', SERVICE_ACCOUNT: 'dev',
        BUILD_REPOSITORY: 'registry.local/ws', HELPER_IMAGE: 'busybox', BUILDKIT_IMAGE: 'moby/buildkit:master',
        BUILDKIT_PRIVILEGED: 'true', DISK_SIZE: '50Gi', CREATE_NAMESPACE: 'false', INACTIVITY_TIMEOUT: '1h',
      },
    });
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(3600);
    expect(r.agent.kubernetes).toMatchObject({
      path: '/usr/local/bin/kubectl', namespace: 'team-a', context: 'prod', config: 'secret:kubeconfig-prod',
      clusterRole: 'view', serviceAccount: 'dev', buildRepository: 'registry.local/ws', helperImage: 'busybox',
      buildkitImage: 'moby/buildkit:master', buildkitPrivileged: true, persistentVolumeSize: '50Gi', createNamespace: false,
    });
  });

  it('refuses a boolean option that is not true/false, and a bad size', () => {
    const err = configErrorOf(() =>
      loadProvider(DEVPOD_KUBERNETES_PROVIDER, { options: { BUILDKIT_PRIVILEGED: 'yes', DISK_SIZE: '20GB' } }),
    );
    expect(fieldError(err, 'options.BUILDKIT_PRIVILEGED').message).toMatch(/not a boolean/);
    // DISK_SIZE has no type, so the size is refused where it lands.
    const wrapped = () => loadProvider(DEVPOD_KUBERNETES_PROVIDER, { options: { DISK_SIZE: '20GB' } });
    const size = fieldError(configErrorOf(wrapped), 'agent.kubernetes.persistentVolumeSize');
    expect(size.message).toMatch(/"20GB" is not a Kubernetes quantity.*20Gi.*from \$\{DISK_SIZE\}/);
  });

  it('refuses a namespace that is not a DNS label', () => {
    const err = configErrorOf(() => loadProvider(DEVPOD_KUBERNETES_PROVIDER, { options: { KUBERNETES_NAMESPACE: 'Team_A' } }));
    expect(fieldError(err, 'agent.kubernetes.namespace').message).toMatch(/not a valid namespace/);
  });

  it('maps a STORAGE_CLASS option onto storageClassName', () => {
    const withClass = DEVPOD_KUBERNETES_PROVIDER
      .replace('  INACTIVITY_TIMEOUT:\n', '  STORAGE_CLASS:\n    description: storage class\n  INACTIVITY_TIMEOUT:\n')
      .replace('    createNamespace: ${CREATE_NAMESPACE}\n', '    createNamespace: ${CREATE_NAMESPACE}\n    storageClassName: ${STORAGE_CLASS}\n');
    expect(loadProvider(withClass, { options: { STORAGE_CLASS: 'fast-ssd' } }).agent.kubernetes.storageClassName).toBe('fast-ssd');
  });
});

describe("DevPod's newer Kubernetes spellings", () => {
  it('map onto the same typed model', () => {
    const { agent } = loadProvider(NEWER_SPELLINGS_PROVIDER);
    expect(agent.containerInactivityTimeoutSeconds).toBe(5400);
    expect(agent.kubernetes).toEqual({
      path: 'kubectl', namespace: 'workspaces', context: 'prod', config: '/etc/workbay/kubeconfig',
      clusterRole: '', serviceAccount: '', buildRepository: '', helperImage: '', buildkitImage: '',
      buildkitPrivileged: false, persistentVolumeSize: '30Gi', createNamespace: false, storageClassName: 'fast-ssd',
      pvcAccessMode: 'ReadWriteMany',
      nodeSelector: { disktype: 'ssd', 'topology.kubernetes.io/zone': 'eu-1a' },
      resources: 'requests.cpu=500m,limits.memory=2Gi',
      labels: { team: 'platform', 'cost-center': '42' },
      podManifestTemplate: '/etc/workbay/pod-template.yaml',
      architecture: 'arm64',
      podTimeoutSeconds: 600, pvcAnnotations: { backup: 'true' }, strictSecurity: true, kubernetesPullSecretsEnabled: false,
    });
  });

  it('normalise the stored agent to the page names, applying the newer keys without warnings', () => {
    const def = parseProviderYaml(NEWER_SPELLINGS_PROVIDER);
    const k = def.agent.kubernetes as Record<string, unknown>;
    expect(k.namespace).toBe('workspaces');
    expect(k.persistentVolumeSize).toBe('${DISK_SIZE}');
    expect(k).not.toHaveProperty('kubernetesNamespace');
    expect(def.warnings.filter((w) => w.startsWith('agent.kubernetes'))).toEqual([]);
  });

  it('keep a label named problem as a label', () => {
    expect(loadProvider('name: k\ndriver: kubernetes\nlabels: problem=none\n').agent.kubernetes.labels).toEqual({ problem: 'none' });
  });

  it('accept nodeSelector and labels as maps too', () => {
    const yaml = 'name: k\ndriver: kubernetes\nnodeSelector:\n  disktype: ssd\nlabels:\n  team: a\n';
    const { kubernetes } = loadProvider(yaml).agent;
    expect(kubernetes.nodeSelector).toEqual({ disktype: 'ssd' });
    expect(kubernetes.labels).toEqual({ team: 'a' });
  });

  it('accept both spellings when they agree', () => {
    const yaml = 'name: k\nagent:\n  driver: kubernetes\n  kubernetes:\n    namespace: ws\n    kubernetesNamespace: ws\n';
    expect(loadProvider(yaml).agent.kubernetes.namespace).toBe('ws');
  });

  it('refuse both spellings with different values, with the line', () => {
    const yaml = 'name: k\nagent:\n  driver: kubernetes\n  kubernetes:\n    persistentVolumeSize: 10Gi\n    diskSize: 20Gi\n';
    const e = fieldError(configErrorOf(() => parseProviderYaml(yaml)), 'agent.kubernetes.diskSize');
    expect(e.message).toMatch(/diskSize \("20Gi"\) and persistentVolumeSize \("10Gi"\) are two spellings/);
    expect(e.line).toBe(6);
  });

  it('refuse flat newer spellings that conflict with the page names', () => {
    const yaml = 'name: k\ndriver: kubernetes\nnamespace: a\nkubernetesNamespace: b\n';
    configErrorOf(() => parseProviderYaml(yaml));
  });

  it('validate resources, labels and access modes', () => {
    const bad = 'name: k\ndriver: kubernetes\nresources: cpu=2\nlabels: "bad key!=x"\npvcAccessMode: RWZ\n';
    const err = configErrorOf(() => parseProviderYaml(bad));
    expect(fieldError(err, 'agent.kubernetes.resources').message).toMatch(/requests\.<resource>=<quantity>/);
    expect(fieldError(err, 'agent.kubernetes.labels').message).toMatch(/not a valid label name/);
    expect(fieldError(err, 'agent.kubernetes.pvcAccessMode').message).toMatch(/ReadWriteOnce/);
  });
});

describe('built-in variables', () => {
  const yaml = 'name: k\ndriver: kubernetes\nnamespace: ws-${WORKSPACE_ID}\nlabels: owner=${PROVIDER_ID}\n';
  it('leave workspace-scoped ones as text until supplied, and default PROVIDER_ID to the name', () => {
    const { kubernetes } = loadProvider(yaml).agent;
    expect(kubernetes.namespace).toBe('ws-${WORKSPACE_ID}');
    expect(kubernetes.labels).toEqual({ owner: 'k' });
  });
  it('fill them in when a workspace supplies them, and then check the grammar', () => {
    const def = parseProviderYaml(yaml);
    expect(resolveProvider(def, {}, { WORKSPACE_ID: 'abc123' }).agent.kubernetes.namespace).toBe('ws-abc123');
    const err = configErrorOf(() => resolveProvider(def, {}, { WORKSPACE_ID: '01J0ABC' }));
    expect(fieldError(err, 'agent.kubernetes.namespace').line).toBe(3);
  });
});
