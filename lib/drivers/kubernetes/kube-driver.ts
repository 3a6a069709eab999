import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import type { UploadReader } from '../../uploads';
import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import type { FeatureLoaders } from '../../features';
import { assertAllowed, DEFAULT_POLICY, evaluate, gitCloneOptions, type Policy } from '../../policy';
import { remoteEnvOf, resolveDevcontainer, type ResolvedDevcontainer, type RuntimeMeta } from '../devcontainer';
import {
  ACTIVITY_FILE,
  type ConnectionInfo, type Driver, type DriverWorkspace, type ExecOptions, type ExecResult, type Observed, type Progress,
  type AttachIO, type AttachOptions, type AttachSession,
} from '../driver';
import { attachPod } from './attach';
import { CREATE_HOOKS, MARKER_DIR, runHookStages } from '../lifecycle';
import { namespaceSpec, podSpec, pvcSpec, roleBindingSpec, RUNTIME_ANNOTATION, serviceAccountSpec } from './builders';
import type { KubeClients } from './client';
import { isConflict, kube, kubeMaybe } from './errors';
import { podExec } from './exec';
import { installFeaturesInCluster } from './features';
import { clusterArch, resolveImage } from './image';
import { DEV_CONTAINER, kubeNames } from './names';
import { applyPodTemplate, parsePodTemplate } from './pod-template';
import { deletePod, waitForPod } from './pods';
import { cloneIntoPvc } from './source';
import { listManagedKube } from './managed';
import { listKubeConfigs } from './config-listing';

/** Annotation on the PVC with the pod to recreate on start (the PVC outlives the pod, as in DevPod). */
const POD_ANNOTATION = 'workbay.dev/pod';

export interface KubeDriverOptions {
  agent: KubernetesAgent;
  /** Image of the git clone helper pod. */
  gitImage: string;
  /** podManifestTemplate text, already read. */
  podTemplate?: string;
  /** The provider's policy (default: DEFAULT_POLICY); the pod meets Pod Security baseline unless it allows more. */
  policy?: Policy;
  /** Lets Features come from loopback registries (embedded tests); never on AWS. */
  allowLoopbackFeatures?: boolean;
  /** Credentials of private Feature registries (the provider's `workbay.registries`), fetched at first use. */
  registryCredentials?: FeatureLoaders['credentialsFor'];
  /** Reads folder uploads (`upload` sources), placed into the PVC by the source pod. */
  uploads?: UploadReader;
}

/** The Kubernetes driver (DESIGN §4): one PVC per workspace, one pod; stop deletes the pod, keeps the PVC. */
export class KubeDriver implements Driver {
  readonly kind = 'kubernetes' as const;
  readonly policy: Policy;

  constructor(private readonly k: KubeClients, private readonly opts: KubeDriverOptions) {
    this.policy = opts.policy ?? DEFAULT_POLICY;
  }

  private get ns() { return this.k.namespace; }
  private get agent() { return this.opts.agent; }

  private async ensureNamespace(): Promise<void> {
    if (this.agent.createNamespace) {
      await kube(`creating namespace ${this.ns}`, () => this.k.core.createNamespace({ body: namespaceSpec(this.ns) })).catch((err: WorkbayError) => {
        if (!isConflict(err.cause)) throw err;
      });
      return;
    }
    const found = await kubeMaybe(`reading namespace ${this.ns}`, () => this.k.core.readNamespace({ name: this.ns }));
    if (!found) {
      throw new WorkbayError('driver.failed', `namespace "${this.ns}" does not exist and the provider has createNamespace: false`, {
        errors: [{ field: 'agent.kubernetes.namespace', message: 'create the namespace, or set createNamespace: true' }],
      });
    }
  }

  private async createOrAdopt(what: string, call: () => Promise<unknown>): Promise<void> {
    await kube(`creating ${what}`, call).catch((err: WorkbayError) => {
      if (!isConflict(err.cause)) throw err;
    });
  }

  /** The service account the pod runs as; with only `clusterRole` set, workbay makes one (DevPod silently did nothing). */
  private async rbac(ws: DriverWorkspace): Promise<string | undefined> {
    let sa = this.agent.serviceAccount || undefined;
    if (this.agent.clusterRole && !sa) {
      const body = serviceAccountSpec(ws, this.agent, this.ns);
      await this.createOrAdopt('the service account', () => this.k.core.createNamespacedServiceAccount({ namespace: this.ns, body }));
      sa = body.metadata!.name!;
    }
    if (this.agent.clusterRole) {
      const body = roleBindingSpec(ws, this.agent, this.ns, sa!);
      await this.createOrAdopt('the role binding', () => this.k.rbac.createNamespacedRoleBinding({ namespace: this.ns, body }));
    }
    return sa;
  }

  private readPod(ws: DriverWorkspace) {
    return kubeMaybe('reading the workspace pod', () => this.k.core.readNamespacedPod({ name: kubeNames(ws.id).pod, namespace: this.ns }));
  }

  private readPvc(ws: DriverWorkspace) {
    return kubeMaybe('reading the workspace PVC', () => this.k.core.readNamespacedPersistentVolumeClaim({ name: kubeNames(ws.id).pvc, namespace: this.ns }));
  }

  private observed(ws: DriverWorkspace, pod: V1Pod | undefined, meta: RuntimeMeta | undefined): Observed {
    const phase = pod?.status?.phase;
    const state = !pod ? 'stopped' : phase === 'Running' ? 'running' : phase === 'Succeeded' || phase === 'Failed' ? 'stopped' : 'busy';
    const names = kubeNames(ws.id);
    return { state, ref: { namespace: this.ns, pod: names.pod, pvc: names.pvc, context: this.k.context }, workspaceFolder: meta?.workspaceFolder ?? `/workspaces/${ws.name}`, user: meta?.user };
  }

  listManaged(instance: string) {
    return listManagedKube(this.k, instance);
  }

  listConfigs(source: { url: string; ref?: string }) {
    return listKubeConfigs(this.k, this.agent, this.opts.gitImage, source, gitCloneOptions(this.policy));
  }

  async find(ws: DriverWorkspace): Promise<Observed | undefined> {
    const [pod, pvc] = await Promise.all([this.readPod(ws), this.readPvc(ws)]);
    if (!pod && !pvc) return undefined;
    return this.observed(ws, pod, metaOf(pod ?? storedPod(pvc)));
  }

  async create(ws: DriverWorkspace, progress: Progress): Promise<Observed> {
    await this.ensureNamespace();
    await this.createOrAdopt('the workspace PVC', () => this.k.core.createNamespacedPersistentVolumeClaim({ namespace: this.ns, body: pvcSpec(ws, this.agent, this.ns) }));
    let pod = await this.readPod(ws);
    if (!pod) {
      const sa = await this.rbac(ws);
      const repo = await cloneIntoPvc(this.k, ws, this.agent, this.opts.gitImage, progress, this.opts.uploads, gitCloneOptions(this.policy));
      if (!('image' in ws.source) && !ws.devcontainer && !repo?.devcontainer) {
        throw new WorkbayError('driver.sourceFailed', `the ${'upload' in ws.source ? 'folder' : 'repository'} has no .devcontainer/devcontainer.json or .devcontainer.json; pass one with the request`);
      }
      const resolved = resolveDevcontainer(ws, ws.devcontainer ?? repo?.devcontainer?.text, repo?.devcontainer?.configDir);
      if (resolved.config.dockerCompose) {
        // As DevPod's Kubernetes driver: compose runs on Docker hosts only (docs/devcontainer.md, "Docker Compose").
        throw new WorkbayError('config.invalid', 'Docker Compose is not supported by Kubernetes providers: dockerComposeFile runs on Docker providers only', {
          errors: [{ field: 'dockerComposeFile', message: 'not supported on Kubernetes', hint: 'Use a Docker provider, or an image or Dockerfile devcontainer.json.' }],
        });
      }
      // Judged before any build: a git source's devcontainer.json is first seen here (ADR 0008).
      const policy = this.policy;
      assertAllowed(evaluate(policy, { image: resolved.config.image, devcontainer: resolved.config }));
      const base = await resolveImage(this.k, ws, this.agent, resolved, repo?.commit, progress);
      const { image, resolved: merged } = await this.withFeatures(ws, resolved, base, policy, progress);
      const template = this.opts.podTemplate ? parsePodTemplate(this.opts.podTemplate) : undefined;
      const body = applyPodTemplate(template, podSpec(ws, this.agent, this.ns, merged, image, sa, policy));
      await this.rememberPod(ws, body);
      pod = await this.startPod(body, progress);
    }
    return this.boot(ws, pod, progress);
  }

  /** Installs the config's Features on `base` (a buildkit build, or a prebuild) and merges their metadata (ADR 0014). */
  private async withFeatures(ws: DriverWorkspace, r: ResolvedDevcontainer, base: string, policy: Policy, progress: Progress) {
    if (!Object.keys(r.config.features).length) return { image: base, resolved: r };
    const arch = await clusterArch(this.k, ws, this.agent, progress);
    return installFeaturesInCluster(this.k, ws, this.agent, r, base, arch, {
      policy, gitImage: this.opts.gitImage, allowLoopbackSources: this.opts.allowLoopbackFeatures,
      loaders: this.opts.registryCredentials ? { credentialsFor: this.opts.registryCredentials } : {},
    }, progress);
  }

  /** Stores the pod on the PVC so `start` can recreate it after a stop deleted it. */
  private async rememberPod(ws: DriverWorkspace, pod: V1Pod): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const pvc = await this.readPvc(ws);
      if (!pvc) throw new WorkbayError('driver.failed', 'the workspace PVC vanished');
      const body: V1PersistentVolumeClaim = { ...pvc, metadata: { ...pvc.metadata, annotations: { ...pvc.metadata?.annotations, [POD_ANNOTATION]: JSON.stringify(pod) } } };
      try {
        await kube('annotating the workspace PVC', () => this.k.core.replaceNamespacedPersistentVolumeClaim({ name: pvc.metadata!.name!, namespace: this.ns, body }));
        return;
      } catch (err) {
        // The volume binder updates the claim too: a stale resourceVersion is retried on a fresh read.
        if (!isConflict((err as WorkbayError).cause) || attempt >= this.k.timings.conflictRetries) throw err;
      }
    }
  }

  private async startPod(body: V1Pod, progress: Progress): Promise<V1Pod> {
    progress({ step: 'create', message: `creating pod ${body.metadata!.name} in ${this.ns}` });
    await this.createOrAdopt('the workspace pod', () => this.k.core.createNamespacedPod({ namespace: this.ns, body }));
    return waitForPod(this.k.core, this.ns, body.metadata!.name!, 'Running', this.podTimeoutMs, this.k.timings.podPollMs);
  }

  /** DevPod's `podTimeout`, else the process's pod start bound. */
  private get podTimeoutMs() { return this.agent.podTimeoutSeconds !== undefined ? this.agent.podTimeoutSeconds * 1000 : this.k.timings.podStartTimeoutMs; }

  private async boot(ws: DriverWorkspace, pod: V1Pod, progress: Progress): Promise<Observed> {
    if (pod.status?.phase !== 'Running') pod = await waitForPod(this.k.core, this.ns, pod.metadata!.name!, 'Running', this.podTimeoutMs, this.k.timings.podPollMs);
    const meta = metaOf(pod);
    const pvc = await this.readPvc(ws);
    if (!meta.overrideCommand) await this.raw(pod, ['/bin/sh', '-c', `touch ${ACTIVITY_FILE}`]);
    const listing = await this.raw(pod, ['/bin/sh', '-c', `for f in ${MARKER_DIR}/*; do [ -f "$f" ] && printf '%s=%s\\n' "\${f##*/}" "$(cat "$f")"; done; exit 0`]);
    const markers = new Map(listing.stdout.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
    const exec = (argv: string[]) => podExec(this.k.kc, this.ns, pod.metadata!.name!, DEV_CONTAINER, argv, { workingDir: meta.workspaceFolder, env: remoteEnvOf(meta) });
    const ctx = { exec, progress, markers };
    // Create hooks are stamped with the PVC (they outlive pods); postStart with the pod.
    // The image's and Features' hooks run before the config's own, each with its own marker.
    for (const hook of CREATE_HOOKS) await runHookStages(ctx, hook, meta, pvc?.metadata?.uid ?? 'pvc');
    await runHookStages(ctx, 'postStartCommand', meta, pod.metadata?.uid ?? 'pod');
    return this.observed(ws, pod, meta);
  }

  private raw(pod: V1Pod, argv: string[]): Promise<ExecResult> {
    return podExec(this.k.kc, this.ns, pod.metadata!.name!, DEV_CONTAINER, argv);
  }

  async start(ws: DriverWorkspace, progress: Progress): Promise<Observed> {
    let pod = await this.readPod(ws);
    if (pod && (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')) {
      await deletePod(this.k.core, this.ns, pod.metadata!.name!, this.k.timings);
      pod = undefined;
    }
    if (!pod) {
      const stored = storedPod(await this.readPvc(ws));
      if (!stored) return this.create(ws, progress);
      pod = await this.startPod(stored, progress);
    }
    return this.boot(ws, pod, progress);
  }

  async stop(ws: DriverWorkspace): Promise<void> {
    await deletePod(this.k.core, this.ns, kubeNames(ws.id).pod, this.k.timings);
  }

  async delete(ws: DriverWorkspace): Promise<void> {
    const n = kubeNames(ws.id);
    for (const pod of [n.pod, n.source, n.arch, n.buildkit, n.features]) await deletePod(this.k.core, this.ns, pod, this.k.timings);
    await kubeMaybe('deleting the role binding', () => this.k.rbac.deleteNamespacedRoleBinding({ name: n.roleBinding, namespace: this.ns }));
    const sa = await kubeMaybe('reading the service account', () => this.k.core.readNamespacedServiceAccount({ name: n.serviceAccount, namespace: this.ns }));
    if (sa?.metadata?.labels?.['workbay.dev/managed-by'] === 'workbay') {
      await kubeMaybe('deleting the service account', () => this.k.core.deleteNamespacedServiceAccount({ name: n.serviceAccount, namespace: this.ns }));
    }
    await kubeMaybe('deleting the workspace PVC', () => this.k.core.deleteNamespacedPersistentVolumeClaim({ name: n.pvc, namespace: this.ns }));
  }

  private async runningPod(ws: DriverWorkspace): Promise<{ pod: V1Pod; meta: RuntimeMeta }> {
    const pod = await this.readPod(ws);
    if (pod?.status?.phase !== 'Running') throw new WorkbayError('workspace.notRunning', 'the workspace is not running; start it first (or pass ?autostart=true)');
    return { pod, meta: metaOf(pod) };
  }

  async exec(ws: DriverWorkspace, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const { pod, meta } = await this.runningPod(ws);
    return podExec(this.k.kc, this.ns, pod.metadata!.name!, DEV_CONTAINER, argv, { workingDir: opts.workingDir ?? meta.workspaceFolder, env: { ...remoteEnvOf(meta), ...opts.env }, timeoutMs: opts.timeoutMs });
  }

  async attach(ws: DriverWorkspace, opts: AttachOptions, io: AttachIO): Promise<AttachSession> {
    const { pod, meta } = await this.runningPod(ws);
    return attachPod(this.k.kc, this.ns, pod, meta, opts, io);
  }

  async lastActivity(ws: DriverWorkspace): Promise<Date | undefined> {
    const pod = await this.readPod(ws);
    if (pod?.status?.phase !== 'Running') return undefined;
    const r = await this.raw(pod, ['stat', '-c', '%Y', ACTIVITY_FILE]);
    const secs = Number(r.stdout.trim());
    return r.exitCode === 0 && Number.isFinite(secs) && secs > 0 ? new Date(secs * 1000) : undefined;
  }

  async logs(ws: DriverWorkspace, opts: { tail?: number }): Promise<string> {
    const log = await kubeMaybe('reading pod logs', () => this.k.core.readNamespacedPodLog({ name: kubeNames(ws.id).pod, namespace: this.ns, container: DEV_CONTAINER, tailLines: opts.tail ?? 500 }));
    return String(log ?? '');
  }

  async connection(ws: DriverWorkspace): Promise<ConnectionInfo> {
    const pod = await this.readPod(ws);
    const meta = metaOf(pod ?? storedPod(await this.readPvc(ws)));
    const attach = [this.agent.path, 'exec', '-it', '--context', this.k.context, '-n', this.ns, kubeNames(ws.id).pod, '-c', DEV_CONTAINER, '--', 'sh'];
    return { attach, workspaceFolder: meta.workspaceFolder, user: meta.user, ports: meta.ports, env: this.k.kubeconfigPath ? { KUBECONFIG: this.k.kubeconfigPath } : {} };
  }
}

function storedPod(pvc: V1PersistentVolumeClaim | undefined): V1Pod | undefined {
  const text = pvc?.metadata?.annotations?.[POD_ANNOTATION];
  if (!text) return undefined;
  const pod = JSON.parse(text) as V1Pod;
  return { ...pod, metadata: { ...pod.metadata, resourceVersion: undefined, uid: undefined } };
}

function metaOf(pod: V1Pod | undefined): RuntimeMeta {
  try {
    return JSON.parse(pod?.metadata?.annotations?.[RUNTIME_ANNOTATION] ?? '') as RuntimeMeta;
  } catch {
    return { workspaceFolder: pod?.spec?.containers?.[0]?.workingDir ?? '/', remoteEnv: {}, ports: [] };
  }
}
