import { describe, expect, it } from 'vitest';
import { composeAsks } from '../../../lib/compose';
import { DEFAULT_POLICY, judgeAsks, type Policy } from '../../../lib/policy';
import { one } from './helpers';

// The devcontainers CLI's docker-in-docker style compose config: what a provider's policy must judge.
const FILE = `services:
  app:
    build: .
    privileged: true
    cap_add: [SYS_PTRACE]
    security_opt: [seccomp=unconfined, no-new-privileges]
    volumes:
      - ..:/workspaces/app
      - /var/run/docker.sock:/var/run/docker.sock
      - cache:/cache
      - shared:/shared
  net:
    image: busybox
    network_mode: host
  plain:
    image: busybox
    networks: [outside]
volumes:
  cache:
  shared:
    external: true
    name: workbay-01other
networks:
  outside:
    external: true
    name: corp-net
`;

describe('composeAsks: compose services judged by the provider policy', () => {
  it('turns privileged, capabilities, security options, host binds, volumes and networks into asks', async () => {
    const asks = composeAsks(await one(FILE));
    expect(asks).toEqual([
      { field: 'dockerComposeFile.services.app.privileged', kind: 'privileged' },
      { field: 'dockerComposeFile.services.app.cap_add[0]', kind: 'capability', value: 'SYS_PTRACE' },
      { field: 'dockerComposeFile.services.app.security_opt[0]', kind: 'securityOpt', value: 'seccomp=unconfined' },
      { field: 'dockerComposeFile.services.app.security_opt[1]', kind: 'securityOpt', value: 'no-new-privileges' },
      { field: 'dockerComposeFile.services.app.volumes[1]', kind: 'mount', mount: { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readonly: false } },
      { field: 'dockerComposeFile.services.app.volumes[2]', kind: 'mount', mount: { type: 'volume', source: 'cache', target: '/cache', readonly: false } },
      { field: 'dockerComposeFile.services.app.volumes[3]', kind: 'mount', mount: { type: 'volume', source: 'workbay-01other', target: '/shared', readonly: false } },
      { field: 'dockerComposeFile.services.net.network_mode', kind: 'network', value: 'host' },
      { field: 'dockerComposeFile.networks.outside', kind: 'network', value: 'corp-net' },
    ]);
  });

  it('the default policy refuses everything beyond the safe baseline, naming the compose field', async () => {
    const violations = judgeAsks(DEFAULT_POLICY, composeAsks(await one(FILE)));
    expect(violations.map((v) => [v.field, v.rule])).toEqual([
      ['dockerComposeFile.services.app.privileged', 'policy.privileged'],
      ['dockerComposeFile.services.app.cap_add[0]', 'policy.capabilities'],
      ['dockerComposeFile.services.app.security_opt[0]', 'policy.securityOptions'],
      ['dockerComposeFile.services.app.volumes[1]', 'policy.mounts.types'],
      // Another workspace's volume, named through `name:`, is refused even where volumes are allowed.
      ['dockerComposeFile.services.app.volumes[3]', 'policy.mounts.reserved'],
      ['dockerComposeFile.services.net.network_mode', 'policy.networks'],
      ['dockerComposeFile.networks.outside', 'policy.networks'],
    ]);
  });

  it('a policy that allows them lets the same project through', async () => {
    const open: Policy = {
      ...DEFAULT_POLICY,
      privileged: true,
      capabilities: ['SYS_PTRACE'],
      securityOptions: ['seccomp='],
      mounts: { types: ['bind', 'volume', 'tmpfs'], hostPaths: ['/var/run/docker.sock'] },
      networks: ['host', 'corp-net'],
    };
    const text = FILE.replace('name: workbay-01other', 'name: team-shared');
    expect(judgeAsks(open, composeAsks(await one(text)))).toEqual([]);
  });

  it('a project of plain services asks for nothing the default policy refuses', async () => {
    const p = await one('services:\n  app:\n    image: busybox\n    volumes: ["..:/workspaces/app", "data:/data", "/tmp/anon"]\n  db:\n    image: postgres\n    depends_on: [app]\nvolumes:\n  data:\n');
    expect(judgeAsks(DEFAULT_POLICY, composeAsks(p))).toEqual([]);
  });
});
