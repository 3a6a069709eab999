import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import type { ComposeProject, ComposeService } from '../../../lib/compose';
import { isWorkbayError } from '../../../lib/errors';
import { DEFAULT_POLICY, type Policy } from '../../../lib/policy';
import type { DriverWorkspace } from '../../../lib/drivers';
import { devServiceSpec } from '../../../lib/drivers/docker/compose/dev-spec';
import { judgeServices } from '../../../lib/drivers/docker/compose/judge';
import { selectServices, startOrder } from '../../../lib/drivers/docker/compose/order';
import { serviceSpec } from '../../../lib/drivers/docker/compose/service-spec';

/**
 * The compose engine's pure parts (no engine needed; test/integration/compose.test.ts runs them on
 * the test engine): what the test engine (Docker 20.10, API 1.41) cannot show, such as the volume
 * sub-folder mounts of API 1.45, and the orders and refusals that would otherwise need a project each.
 */
const ws: DriverWorkspace = { id: '01HZCOMPOSE0000000000000000', name: 'c', owner: 'o', source: { git: { url: 'git://x/r.git' } }, env: {} };
const svc = (name: string, extra: Partial<ComposeService> = {}): ComposeService => ({
  name, environment: {}, volumes: [], dependsOn: {}, capAdd: [], capDrop: [], securityOpt: [], privileged: false,
  networks: {}, labels: {}, ports: [], tty: false, stdinOpen: false, image: 'busybox', ...extra,
});
const project = (services: ComposeService[]): ComposeProject => ({
  name: 'workbay-01hzcompose0000000000000000', services: Object.fromEntries(services.map((s) => [s.name, s])),
  volumes: { data: { external: false, labels: {} }, ext: { external: true, name: 'shared-cache', labels: {} } },
  networks: { default: { external: false, internal: false, labels: {} }, corp: { external: true, name: 'corp-net', internal: false, labels: {} } },
  files: ['.devcontainer/docker-compose.yml'], warnings: [],
});
const started = { condition: 'service_started' as const, required: true };

describe('start order and selection', () => {
  const p = project([svc('app', { dependsOn: { db: started, cache: started } }), svc('db'), svc('cache', { networkMode: 'service:db' }), svc('extra')]);

  it('puts every service after what it needs (network_mode service:x included), ties by name', () => {
    expect(startOrder(p.services, Object.keys(p.services))).toEqual(['db', 'extra', 'cache', 'app']);
  });

  it('runServices limits the services to those named, the dev service and their dependencies', () => {
    expect([...selectServices(p.services, 'app', ['db'])].sort()).toEqual(['app', 'cache', 'db']);
    expect([...selectServices(p.services, 'db', [])].sort()).toEqual(['app', 'cache', 'db', 'extra']);
  });

  it('refuses a cycle and an unknown service by name', () => {
    const cyclic = project([svc('a', { dependsOn: { b: started } }), svc('b', { dependsOn: { a: started } })]);
    expect(() => startOrder(cyclic.services, ['a', 'b'])).toThrow(/a, b depend on each other in a cycle/);
    const err = (() => { try { selectServices(p.services, 'app', ['nope']); } catch (e) { return e; } })();
    expect(isWorkbayError(err, 'config.invalid') && err.errors[0]).toMatchObject({ field: 'devcontainer.runServices', message: expect.stringMatching(/no service "nope"/) });
  });
});

describe('service containers', () => {
  const input = (subpaths: boolean) => ({ ws, project: project([]), image: 'busybox', ids: { db: 'abc123' }, subpaths });

  it('serves source binds from the workspace volume: the whole volume, or a sub-folder on API 1.45', () => {
    const s = svc('app', { volumes: [{ type: 'source', source: '', target: '/workspaces/app', readOnly: false }, { type: 'source', source: 'config', target: '/etc/app', readOnly: true }] });
    const mounts = serviceSpec(input(true), s).create.HostConfig!.Mounts!;
    expect(mounts).toEqual([
      { Type: 'volume', Source: `workbay-${ws.id.toLowerCase()}`, Target: '/workspaces/app' },
      { Type: 'volume', Source: `workbay-${ws.id.toLowerCase()}`, Target: '/etc/app', ReadOnly: true, VolumeOptions: { Subpath: 'config' } },
    ]);
  });

  it('refuses a sub-folder bind on an engine without volume sub-paths, naming the entry', () => {
    const s = svc('app', { volumes: [{ type: 'source', source: 'config', target: '/etc/app', readOnly: true }] });
    expect(() => serviceSpec(input(false), s)).toThrow(/services\.app\.volumes\[0\].*Docker 26, API 1\.45/);
  });

  it('names objects as Compose does and joins networks with the service name as alias', () => {
    const s = svc('db', { networks: { default: { aliases: ['database'] }, corp: { aliases: [] } }, volumes: [{ type: 'volume', source: 'data', target: '/d', readOnly: false }, { type: 'volume', source: 'ext', target: '/e', readOnly: false }] });
    const spec = serviceSpec(input(false), s);
    expect(spec.create.name).toBe('workbay-01hzcompose0000000000000000-db-1');
    expect(spec.create.HostConfig!.NetworkMode).toBe('corp-net');
    expect(spec.connect).toEqual([{ network: 'workbay-01hzcompose0000000000000000_default', aliases: ['db', 'database'] }]);
    expect(spec.create.HostConfig!.Mounts!.map((m) => m.Source)).toEqual(['workbay-01hzcompose0000000000000000_data', 'shared-cache']);
    expect(spec.create.Labels).toMatchObject({ 'com.docker.compose.project': 'workbay-01hzcompose0000000000000000', 'com.docker.compose.service': 'db', 'workbay.dev/workspace-id': ws.id });
    expect(serviceSpec(input(false), svc('side', { networkMode: 'service:db' })).create.HostConfig!.NetworkMode).toBe('container:abc123');
  });

  it('the dev service keeps its source bind instead of a second mount at the workspace folder', () => {
    const s = serviceSpec(input(false), svc('app', { volumes: [{ type: 'source', source: '', target: '/workspaces', readOnly: false }], command: ['run'] }));
    const vol = `workbay-${ws.id.toLowerCase()}`;
    const dev: Docker.ContainerCreateOptions = { Image: 'features', Labels: { 'dev.containers.id': ws.id }, Env: ['A=dev'], Entrypoint: ['/bin/sh', '-c', 'keep'], Cmd: [], HostConfig: { Mounts: [{ Type: 'volume', Source: vol, Target: '/workspaces/app' }, { Type: 'tmpfs', Target: '/cache', Source: '' }] } };
    const merged = devServiceSpec(s, dev, '/workspaces/app', true).create;
    expect(merged.HostConfig!.Mounts!.map((m) => m.Target)).toEqual(['/workspaces', '/cache']);
    expect(merged).toMatchObject({ Image: 'features', Entrypoint: ['/bin/sh', '-c', 'keep'], Cmd: [], Env: ['A=dev'] });
    expect(devServiceSpec(s, dev, '/elsewhere', false).create).toMatchObject({ Cmd: ['run'], HostConfig: { Mounts: [expect.objectContaining({ Target: '/workspaces/app' }), expect.anything(), expect.anything()] } });
  });
});

describe('the policy on compose services', () => {
  const own = new Set(['workbay-x_default', 'workbay-x_data']);
  it('judges what the services ask for, not the project\'s own network and volumes', () => {
    const v = judgeServices(DEFAULT_POLICY, [
      { service: 'db', hostConfig: { NetworkMode: 'workbay-x_default', Mounts: [{ Type: 'volume', Source: 'workbay-x_data', Target: '/d' }] }, image: 'busybox' },
      { service: 'dind', hostConfig: { Privileged: true, CapAdd: ['NET_ADMIN'], NetworkMode: 'host', Mounts: [{ Type: 'bind', Source: '/var/run/docker.sock', Target: '/s' }] }, networks: ['corp-net'] },
    ], 'workbay-ws', own);
    expect(v.map((x) => x.field)).toEqual([
      'dockerComposeFile.services.dind.privileged', 'dockerComposeFile.services.dind.cap_add[0]', 'dockerComposeFile.services.dind.network_mode',
      'dockerComposeFile.services.dind.volumes[0]', 'dockerComposeFile.services.dind.networks',
    ]);
  });

  it('refuses images outside the allowed prefixes and builds when images are restricted', () => {
    const policy: Policy = { ...DEFAULT_POLICY, images: ['registry.example.com/'] };
    const v = judgeServices(policy, [{ service: 'db', hostConfig: {}, image: 'busybox' }, { service: 'app', hostConfig: {}, built: true }], 'workbay-ws', own);
    expect(v.map((x) => `${x.field} ${x.rule}`)).toEqual(['dockerComposeFile.services.db.image policy.images', 'dockerComposeFile.services.app.build policy.images']);
  });
});
