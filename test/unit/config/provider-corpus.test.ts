import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PersistentVolumeClaim, Pod } from 'kubernetes-models/v1';
import { ApiError } from '../../../cli/http';
import { problemText } from '../../../cli/format';
import { loadProvider, parseProviderYaml } from '../../../lib/config';
import type { DriverWorkspace } from '../../../lib/drivers';
import { builders } from '../../../lib/drivers/kubernetes';
import { configErrorOf, fieldError } from './helpers';

// Provider files written for this test in the shapes DevPod users write (see each file's comment).
const DIR = join(__dirname, '../../fixtures/providers/corpus');
const file = (name: string) => readFileSync(join(DIR, name), 'utf8');

/** Every accepted file, with the option values and typed settings DevPod would use by default. */
const ACCEPTED: Record<string, { driver: 'docker' | 'kubernetes'; values: Record<string, string>; agent: Record<string, unknown> }> = {
  'docker-builtin-2023.yaml': {
    driver: 'docker', values: { DOCKER_PATH: 'docker' },
    agent: { local: true, containerInactivityTimeoutSeconds: 0, docker: { path: 'docker', install: false, env: { DOCKER_HOST: '' } } },
  },
  'docker-builtin-2025.yaml': {
    driver: 'docker', values: { DOCKER_PATH: 'docker' },
    agent: { docker: { path: 'docker', install: false, env: { DOCKER_HOST: '' } } },
  },
  'podman-rootless.yaml': {
    driver: 'docker', values: { PODMAN_PATH: 'podman', PODMAN_SOCKET: 'unix:///run/user/1000/podman/podman.sock', INACTIVITY_TIMEOUT: '2h' },
    agent: { containerInactivityTimeoutSeconds: 7200, docker: { path: 'podman', install: false, env: { DOCKER_HOST: 'unix:///run/user/1000/podman/podman.sock' } } },
  },
  'podman-flat.yaml': {
    driver: 'docker', values: {},
    agent: { containerInactivityTimeoutSeconds: 600, docker: { path: '/usr/bin/podman', install: false, env: {} } },
  },
  'devsy-docker.yaml': {
    driver: 'docker', values: { DOCKER_PATH: 'docker' },
    agent: { path: 'workbay', docker: { path: 'docker', install: false, env: { DOCKER_HOST: '' } } },
  },
  'kubernetes-builtin-kubectl-era.yaml': {
    driver: 'kubernetes', values: { KUBECTL_PATH: 'kubectl', DISK_SIZE: '10Gi', CREATE_NAMESPACE: 'true' },
    agent: {
      path: 'workbay',
      kubernetes: expect.objectContaining({ path: 'kubectl', namespace: '', persistentVolumeSize: '10Gi', createNamespace: true, pvcAccessMode: 'ReadWriteOnce', buildkitPrivileged: false }),
    },
  },
  'kubernetes-builtin-client-go-era.yaml': {
    driver: 'kubernetes',
    values: {
      DISK_SIZE: '10Gi', KUBERNETES_PULL_SECRETS_ENABLED: 'true', KUBERNETES_NAMESPACE: 'devpod', CREATE_NAMESPACE: 'true',
      POD_TIMEOUT: '10m', DOCKERLESS_DISABLED: 'false', STRICT_SECURITY: 'false',
    },
    agent: {
      containerInactivityTimeoutSeconds: 0,
      kubernetes: expect.objectContaining({
        namespace: 'devpod', persistentVolumeSize: '10Gi', createNamespace: true, podTimeoutSeconds: 600,
        kubernetesPullSecretsEnabled: true, strictSecurity: false,
      }),
    },
  },
  'kubernetes-external-2023.yaml': {
    driver: 'kubernetes', values: { DISK_SIZE: '10Gi', CREATE_NAMESPACE: 'true', KUBECTL_PATH: 'kubectl', DOCKERLESS_DISABLED: 'false' },
    agent: { kubernetes: expect.objectContaining({ path: 'kubectl', namespace: '', persistentVolumeSize: '10Gi', createNamespace: true }) },
  },
  'kubernetes-external-2025.yaml': {
    driver: 'kubernetes',
    values: {
      DISK_SIZE: '20Gi', KUBERNETES_PULL_SECRETS_ENABLED: 'true', KUBERNETES_NAMESPACE: 'devpod', CREATE_NAMESPACE: 'true',
      KUBECTL_PATH: 'kubectl', INACTIVITY_TIMEOUT: '30m', POD_TIMEOUT: '10m', PVC_ACCESS_MODE: 'RWO', STRICT_SECURITY: 'false',
    },
    agent: {
      containerInactivityTimeoutSeconds: 1800,
      kubernetes: expect.objectContaining({ namespace: 'devpod', persistentVolumeSize: '20Gi', pvcAccessMode: 'ReadWriteOnce', podTimeoutSeconds: 600, strictSecurity: false }),
    },
  },
};

/** Every refused file: the field the refusal rests on and what its first sentence must say. */
const REFUSED: Record<string, { field: string; why: RegExp }> = {
  'aws-machine-2023.yaml': { field: 'exec.create', why: /^provider "aws" is a machine provider: .*workbay does not create machines/ },
  'gcloud-machine-2024.yaml': { field: 'exec.create', why: /^provider "gcloud" is a machine provider/ },
  'digitalocean-machine.yaml': { field: 'exec.create', why: /^provider "digitalocean" is a machine provider/ },
  'ssh-binary.yaml': { field: 'exec.command', why: /^provider "ssh" reaches its workspaces through its own exec.command \("\$\{SSH_PROVIDER\} command"\)/ },
  'ssh-plain.yaml': { field: 'exec.command', why: /^provider "ssh-plain" reaches its workspaces through its own exec.command .*workbay's own engine/ },
  'proxy-pro.yaml': { field: 'exec.proxy', why: /^provider "devpod-pro" is a proxy provider/ },
  'daemon-platform.yaml': { field: 'exec.daemon', why: /^provider "platform" is a daemon provider/ },
  'daemon-only.yaml': { field: 'exec.daemon', why: /^provider "daemon-only" is a daemon provider/ },
  'nomad-custom.yaml': { field: 'agent.driver', why: /^provider "nomad" uses DevPod's custom driver/ },
};

describe('the provider corpus', () => {
  it('has an expectation for every file', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toEqual([...Object.keys(ACCEPTED), ...Object.keys(REFUSED), 'kubernetes-provider-folder.yaml'].sort());
  });

  describe.each(Object.entries(ACCEPTED))('accepts %s', (name, want) => {
    it('with the option values and settings DevPod would use', () => {
      const r = loadProvider(file(name));
      expect(r.agent.driver).toBe(want.driver);
      expect(r.values).toEqual(want.values);
      expect(r.agent).toMatchObject(want.agent);
    });
  });

  describe.each(Object.entries(REFUSED))('refuses %s', (name, want) => {
    it('with one error whose first sentence says why, and what to do instead', () => {
      const err = configErrorOf(() => loadProvider(file(name)));
      const firstSentence = err.message.split('. ')[0]!;
      expect(firstSentence).toMatch(want.why);
      expect(err.errors).toHaveLength(1);
      const e = fieldError(err, want.field);
      expect(e.line).toBeGreaterThan(0);
      expect(e.hint).toMatch(/Docker|Kubernetes|docker|kubernetes/);
    });
  });
});

describe('the external Kubernetes provider', () => {
  it('maps every option onto the native driver and lists what was mapped', () => {
    const r = loadProvider(file('kubernetes-external-2023.yaml'), {
      options: {
        KUBERNETES_NAMESPACE: 'team-a', KUBERNETES_CONTEXT: 'prod', KUBERNETES_CONFIG: '/etc/workbay/kubeconfig',
        STORAGE_CLASS: 'fast', PVC_ACCESS_MODE: 'RWX', NODE_SELECTOR: 'disk=ssd', RESOURCES: 'requests.cpu=1,limits.memory=4Gi',
        LABELS: 'team=a', POD_MANIFEST_TEMPLATE: '/etc/workbay/pod.yaml', SERVICE_ACCOUNT: 'dev', CLUSTER_ROLE: 'view',
        INACTIVITY_TIMEOUT: '45m', HELPER_IMAGE: 'busybox', DISK_SIZE: '30Gi', CREATE_NAMESPACE: 'false',
      },
    });
    expect(r.agent.containerInactivityTimeoutSeconds).toBe(2700);
    expect(r.agent.kubernetes).toMatchObject({
      namespace: 'team-a', context: 'prod', config: '/etc/workbay/kubeconfig', storageClassName: 'fast', pvcAccessMode: 'ReadWriteMany',
      nodeSelector: { disk: 'ssd' }, resources: 'requests.cpu=1,limits.memory=4Gi', labels: { team: 'a' },
      podManifestTemplate: '/etc/workbay/pod.yaml', serviceAccount: 'dev', clusterRole: 'view', helperImage: 'busybox',
      persistentVolumeSize: '30Gi', createNamespace: false,
    });
    const mapped = r.definition.warnings.find((w) => w.includes('external Kubernetes provider'));
    expect(mapped).toMatch(/KUBERNETES_NAMESPACE → agent\.kubernetes\.namespace/);
    expect(mapped).toMatch(/not applied: DOCKERLESS_IMAGE/);
  });

  it('says what workbay uses for the namespace its command would compute, and how to match DevPod', () => {
    const { warnings } = parseProviderYaml(file('kubernetes-external-2023.yaml'));
    expect(warnings).toContain(
      'option KUBERNETES_NAMESPACE computes its value with a local command, which workbay never runs: unless the option is set, ' +
        'agent.kubernetes.namespace gets "" and so means the kubeconfig context\'s namespace, else "default"; ' +
        'DevPod\'s command falls back to "devpod" instead: set KUBERNETES_NAMESPACE to "devpod" to match it',
    );
  });

  it('names the binary where agent.custom runs it, and keeps unknown names there as written', () => {
    const def = parseProviderYaml(file('kubernetes-external-2025.yaml'));
    const custom = def.agent.custom as Record<string, string>;
    expect(custom.stopDevContainer).toBe('devpod-provider-kubernetes-linux-amd64 stop');
    expect(custom.findDevContainer).toBe('devpod-provider-kubernetes-linux-amd64 find --id ${DEVCONTAINER_ID}');
    expect(def.warnings).toContain(
      'agent.custom.findDevContainer: ${DEVCONTAINER_ID} left as written: workbay ignores this setting, and DevPod does not substitute unknown names either',
    );
    expect(def.warnings).toContain('option CLUSTER_PROFILE: subOptionsCommand is never run, so the options it would add do not exist here; declare them under options');
  });
});

describe('variables in sections workbay ignores', () => {
  it('never refuse a provider', () => {
    const yaml = [
      'name: quiet', 'agent:', '  driver: docker',
      '  exec:', '    shutdown: ${NOT_DECLARED} now',
      '  custom:', '    runDevContainer: ${ALSO_NOT_DECLARED}',
      '  kubernetes:', '    namespace: ${NOT_AN_OPTION}', '    createNamespace: ${NOR_THIS}',
      '  someFutureKey: ${FUTURE}', '',
    ].join('\n');
    const r = loadProvider(yaml);
    expect(r.agent.driver).toBe('docker');
    expect(r.agent.kubernetes.createNamespace).toBe(false);
    expect(r.definition.warnings.filter((w) => w.includes('left as written'))).toHaveLength(5);
  });

  it('still refuse an unknown name in a field workbay reads', () => {
    const e = fieldError(configErrorOf(() => loadProvider('name: p\nagent:\n  docker:\n    path: ${NOPE}\n')), 'agent.docker.path');
    expect(e.message).toMatch(/unknown variable \$\{NOPE\}/);
  });
});

describe("DevPod's built-in variables", () => {
  it('give ${DEVSY} the meaning of ${DEVPOD}, and fixed built-ins their values', () => {
    const yaml = 'name: b\nagent:\n  path: ${DEVSY}\n  docker:\n    env:\n      OS: ${DEVPOD_OS}\n      CTX: ${PROVIDER_CONTEXT}\n      WHO: ${WORKSPACE_PROVIDER}\n';
    const r = loadProvider(yaml);
    expect(r.agent.path).toBe('workbay');
    expect(r.agent.docker.env).toEqual({ OS: 'linux', CTX: 'default', WHO: 'b' });
  });

  it('refuse ${PROVIDER_FOLDER} in a field workbay reads, saying why and what to write instead', () => {
    const err = configErrorOf(() => loadProvider(file('kubernetes-provider-folder.yaml')));
    const e = fieldError(err, 'agent.kubernetes.config');
    expect(e.message).toBe("${PROVIDER_FOLDER} is DevPod's folder on the user's machine (under ~/.devpod); workbay keeps no such folder, so it has no value here");
    expect(e.hint).toMatch(/secret reference/);
    expect(e.line).toBe(7);
  });
});

describe('the required-option hint', () => {
  const yaml = 'name: r\noptions:\n  HOST:\n    required: true\nagent:\n  docker:\n    env:\n      DOCKER_HOST: ${HOST}\n';
  it('shows the API its JSON shape', () => {
    const e = fieldError(configErrorOf(() => loadProvider(yaml)), 'options.HOST');
    expect(e.hint).toBe('Set it in the request body: {"options": {"HOST": "<value>"}}.');
  });
  it('shows the CLI its flag', () => {
    const e = fieldError(configErrorOf(() => loadProvider(yaml)), 'options.HOST');
    const text = problemText(new ApiError(400, { detail: 'provider "r" cannot be used', errors: [e] }));
    expect(text).toContain('hint: Set it with -o HOST=<value>.');
  });
});

describe('the newer Kubernetes keys reach the objects the driver sends', () => {
  const ws: DriverWorkspace = { id: '01JABCDEFGHJKMNPQRSTVWXYZ0', name: 'demo', owner: 'o', source: { image: 'busybox' }, env: {} };
  const { kubernetes } = loadProvider(file('kubernetes-builtin-kubectl-era.yaml'), {
    options: { BUILDKIT_NODE_SELECTOR: 'pool=build', BUILDKIT_RESOURCES: 'requests.cpu=2,limits.memory=8Gi' },
  }).agent;
  const c = loadProvider(file('kubernetes-builtin-client-go-era.yaml'), { options: { PVC_ANNOTATIONS: 'backup.example.test/schedule=daily' } }).agent.kubernetes;

  it('pvcAnnotations annotate the workspace PVC', () => {
    const pvc = builders.pvcSpec(ws, c, 'ws');
    new PersistentVolumeClaim(pvc as never).validate();
    expect(pvc.metadata?.annotations).toEqual({ 'backup.example.test/schedule': 'daily' });
  });

  it('buildkitNodeSelector and buildkitResources shape the buildkit pod', () => {
    const pod = builders.buildkitPodSpec(ws, kubernetes, 'ws');
    new Pod(pod as never).validate();
    expect(pod.spec?.nodeSelector).toEqual({ pool: 'build' });
    expect(pod.spec?.containers[0]?.resources).toEqual({ requests: { cpu: '2' }, limits: { memory: '8Gi' } });
  });
});
