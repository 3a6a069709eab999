import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { WebSocket } from 'ws';
import { handleRequest } from './api-handler';
import { Controllers, EventRecorder } from './controllers';
import { dockerClient } from './docker-util';
import { execWebSocketServer } from './exec-ws';
import { FaultQueue, type FaultRule, type KubeRequestRecord } from './faults';
import { Kubelet } from './kubelet';
import { stringify } from 'yaml';
import { RESOURCES } from './resources';
import { RestHandlers, type RestSettings } from './rest';
import type { SimRuntime } from './http-util';
import { dockerArch, seedCluster } from './seed';
import { ObjectStore, type KubeObject } from './store';
import { handleUpgrade } from './upgrade-handler';
import { LABEL_INSTANCE, VolumeManager } from './volumes';

/** Options of {@link startKubeSim}. */
export interface KubeSimOptions {
  /** The test Docker engine pods run on (`unix:///…` or `tcp://…`). */
  dockerHost: string;
  /** Answer node reads with 403 Forbidden (to test architecture detection without node access). */
  hideNodes?: boolean;
  /** Cap on a pod's termination grace period, in seconds (default 2) — `sleep` as PID 1 ignores SIGTERM. */
  maxGracePeriodSeconds?: number;
  /** Extra or overriding labels of the node `kube-sim` (e.g. `{'kubernetes.io/arch': 'arm64'}`). */
  nodeLabels?: Record<string, string>;
  /** Port on 127.0.0.1 (default: a random free one). */
  port?: number;
  /** How often a watch with `allowWatchBookmarks` gets a BOOKMARK (default 5000 ms; real servers send about one a minute). */
  watchBookmarkIntervalMs?: number;
}

/** In-process controls for tests: fault injection, the request log and direct reads of the stored objects. */
export interface KubeSimControls {
  /** Makes the next matching request(s) fail with a Status error and/or wait first. */
  failNext(rule: FaultRule): void;
  clearFaults(): void;
  /** Every request that reached the server, oldest first. */
  readonly requests: KubeRequestRecord[];
  clearRequests(): void;
  /** Toggle the 403 on node reads at runtime. */
  hideNodes: boolean;
  /** A stored object by plural resource name (`pods`, `rolebindings`…), without going through HTTP. */
  get(resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  /** Stored objects of a resource, optionally in one namespace. */
  list(resource: string, namespace?: string): KubeObject[];
  /** The Docker containers (running or not) the kubelet created for a pod. */
  podContainers(namespace: string, pod: string): Promise<Docker.ContainerInfo[]>;
  /** The Docker volume backing a PVC, once bound. */
  pvcVolumeName(namespace: string, claim: string): string | undefined;
}

/** A running simulator. */
export interface KubeSim {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Bearer token from the kubeconfig; requests carrying any other credentials get 401 Unauthorized. */
  token: string;
  /** Kubeconfig YAML: cluster, token user, context `kube-sim`, namespace `default`. */
  kubeconfig: string;
  /** Writes the kubeconfig to a file (mode 0600). */
  writeKubeconfig(path: string): void;
  sim: KubeSimControls;
  /** Stops the server and deletes every container and volume this instance created. */
  close(): Promise<void>;
}

/**
 * A kubeconfig for the simulator: cluster `kube-sim`, bearer-token user, context `kube-sim`, namespace `default`.
 * `insecure-skip-tls-verify` is set because client-node 1.x refuses `http://` servers without it.
 */
function kubeconfigYaml(url: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-sim', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kube-sim', user: { token } }],
    contexts: [{ name: 'kube-sim', context: { cluster: 'kube-sim', user: 'kube-sim', namespace: 'default' } }],
    'current-context': 'kube-sim',
    preferences: {},
  });
}

function resourceDef(plural: string) {
  const def = RESOURCES.find((r) => r.plural === plural);
  if (!def) throw new Error(`kube-sim: unknown resource ${plural}`);
  return def;
}

/** Starts the Kubernetes API simulator on 127.0.0.1 with a kubelet that runs pods on the given Docker engine. */
export async function startKubeSim(options: KubeSimOptions): Promise<KubeSim> {
  const docker = dockerClient(options.dockerHost);
  await docker.ping();
  const instanceId = randomBytes(6).toString('hex');
  const nodeName = 'kube-sim';
  const store = new ObjectStore();
  const settings: RestSettings = { hideNodes: !!options.hideNodes, maxGracePeriodSeconds: options.maxGracePeriodSeconds ?? 2 };
  const rest = new RestHandlers(store, settings);
  const volumes = new VolumeManager(docker, instanceId);
  const events = new EventRecorder(store, nodeName);
  const kubelet = new Kubelet({ store, docker, volumes, events, instanceId, nodeName });
  const controllers = new Controllers(store, rest, kubelet, volumes, events);
  seedCluster(store, nodeName, await dockerArch(docker), options.nodeLabels ?? {});

  let address = '';
  const rt: SimRuntime = {
    store, rest, kubelet, docker, faults: new FaultQueue(), requests: [], token: randomBytes(24).toString('hex'),
    bookmarkIntervalMs: options.watchBookmarkIntervalMs ?? 5000,
    address: () => address, wss: execWebSocketServer(),
    openResponses: new Set<ServerResponse>(), openSockets: new Set<Duplex>(), openWebSockets: new Set<WebSocket>(),
  };
  const server = createServer((req, res) => void handleRequest(rt, req, res));
  server.on('upgrade', (req, socket, head) => void handleUpgrade(rt, req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `http://${address}`;
  const kubeconfig = kubeconfigYaml(url, rt.token);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => (closing ??= (async () => {
    server.close();
    for (const r of rt.openResponses) r.destroy();
    for (const ws of rt.openWebSockets) ws.terminate();
    for (const s of rt.openSockets) s.destroy();
    rt.wss.close();
    server.closeAllConnections();
    controllers.close();
    await kubelet.close();
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] } }).catch(() => []);
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    await volumes.removeAll();
    const vols = await docker.listVolumes({ filters: { label: [`${LABEL_INSTANCE}=${instanceId}`] } }).catch(() => ({ Volumes: [] }));
    await Promise.all((vols.Volumes ?? []).map((v) => docker.getVolume(v.Name).remove({ force: true }).catch(() => undefined)));
  })());

  const sim: KubeSimControls = {
    failNext: (rule) => rt.faults.add(rule),
    clearFaults: () => rt.faults.clear(),
    get requests() {
      return rt.requests;
    },
    clearRequests: () => {
      rt.requests.length = 0;
    },
    get hideNodes() {
      return settings.hideNodes;
    },
    set hideNodes(v: boolean) {
      settings.hideNodes = v;
    },
    get: (resource, namespace, name) => store.get(resourceDef(resource), namespace, name),
    list: (resource, namespace) => store.list(resourceDef(resource), namespace),
    podContainers: async (namespace, pod) => {
      const p = store.get(resourceDef('pods'), namespace, pod);
      const filters = { label: [`${LABEL_INSTANCE}=${instanceId}`, `kube-sim/namespace=${namespace}`, `kube-sim/pod=${pod}`, ...(p ? [`kube-sim/pod-uid=${p.metadata.uid}`] : [])] };
      return docker.listContainers({ all: true, filters });
    },
    pvcVolumeName: (namespace, claim) => {
      const pvc = store.get(resourceDef('persistentvolumeclaims'), namespace, claim);
      return pvc ? volumes.pvcVolume(pvc.metadata.uid) : undefined;
    },
  };

  return {
    url, token: rt.token, kubeconfig, sim, close,
    writeKubeconfig: (path) => writeFileSync(path, kubeconfig, { mode: 0o600 }),
  };
}
