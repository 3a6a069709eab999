import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { KubernetesAgent } from '../../config';
import { WorkbayError } from '../../errors';
import { isSecretRef, type SecretResolver } from '../../secrets';
import { DEFAULT_DRIVER_TIMINGS, type DriverTimings } from '../timings';

/** API clients for one provider's cluster, with the namespace workspaces go to. */
export interface KubeClients {
  kc: KubeConfig;
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  namespace: string;
  context: string;
  /** The kubeconfig file, when it came from one (shown in connection info; never its content). */
  kubeconfigPath?: string;
  /** Timeouts and retry counts of this driver (the process's DriverTimings). */
  timings: DriverTimings;
}

const field = 'agent.kubernetes.config';

/**
 * Loads the kubeconfig named by `config`: a secret reference, a file path, or empty for the default
 * kubeconfig (embedded mode only). Never `loadFromDefault`: the server's environment is not the
 * provider's.
 */
export async function loadKube(agent: KubernetesAgent, rt: { defaultKubeconfigPath?: string; secrets: SecretResolver; apiTimeoutMs?: number; timings?: DriverTimings }): Promise<KubeClients> {
  let text: string;
  let kubeconfigPath: string | undefined;
  let source: string;
  if (!agent.config) {
    if (!rt.defaultKubeconfigPath) {
      throw new WorkbayError('config.invalid', 'this provider has no kubeconfig: an empty config means the default kubeconfig, which this control plane does not have', {
        errors: [{ field, message: 'set config to a secret reference (aws-sm:name) holding a kubeconfig' }],
      });
    }
    kubeconfigPath = rt.defaultKubeconfigPath;
    source = `the default kubeconfig file:${kubeconfigPath}`;
    text = await rt.secrets(`file:${kubeconfigPath}`, field);
  } else if (/[\n{]/.test(agent.config)) {
    // Kubeconfig text where a reference belongs: name the field, never echo (a part of) the text.
    throw new WorkbayError('config.invalid', 'agent.kubernetes.config holds kubeconfig text instead of a reference or a file path', {
      errors: [{ field, message: 'use file:/path, env:NAME or aws-sm:name; the kubeconfig itself is never written into a provider' }],
    });
  } else if (isSecretRef(agent.config)) {
    source = `kubeconfig ${agent.config}`;
    text = await rt.secrets(agent.config, field);
  } else {
    kubeconfigPath = agent.config;
    source = `kubeconfig file:${kubeconfigPath}`;
    text = await rt.secrets(`file:${kubeconfigPath}`, field);
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    // The parser's message quotes the text it choked on; only its position is kept.
    const mark = (err as { mark?: { line?: number; column?: number } }).mark;
    const where = typeof mark?.line === 'number' ? ` (YAML error at line ${mark.line + 1}, column ${(mark.column ?? 0) + 1})` : '';
    throw new WorkbayError('config.invalid', `${source} could not be parsed as a kubeconfig${where}`, { errors: [{ field, message: `${source} is not a valid kubeconfig${where}` }] });
  }
  if (agent.context) {
    if (!kc.getContexts().some((c) => c.name === agent.context)) {
      const n = kc.getContexts().length;
      throw new WorkbayError('config.invalid', `kube context "${agent.context}" is not in ${source}`, {
        errors: [{ field: 'agent.kubernetes.context', message: `${source} has ${n} context${n === 1 ? '' : 's'}, none named "${agent.context}"` }],
      });
    }
    kc.setCurrentContext(agent.context);
  }
  const context = kc.getCurrentContext();
  if (!kc.getCurrentCluster()) throw new WorkbayError('config.invalid', `the current context of ${source} names no cluster`, { errors: [{ field, message: `${source} has no current cluster` }] });
  const namespace = agent.namespace || kc.getContextObject(context)?.namespace || 'default';
  const timeoutMs = rt.apiTimeoutMs ?? 30_000;
  return { kc, core: withTimeout(kc.makeApiClient(CoreV1Api), timeoutMs), rbac: withTimeout(kc.makeApiClient(RbacAuthorizationV1Api), timeoutMs), namespace, context, kubeconfigPath, timings: rt.timings ?? DEFAULT_DRIVER_TIMINGS };
}

/**
 * Bounds every API call: a hung API server becomes a retryable `driver.unreachable`, not a hung
 * worker holding a lease.
 */
function withTimeout<T extends object>(api: T, ms: number): T {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        let timer: NodeJS.Timeout | undefined;
        const call = Promise.resolve((v as (...a: unknown[]) => unknown).apply(target, args));
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new WorkbayError('driver.unreachable', `Kubernetes API call ${String(prop)} timed out after ${ms} ms`)), ms);
        });
        return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
      };
    },
  });
}
