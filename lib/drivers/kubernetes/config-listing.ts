import type { V1Pod } from '@kubernetes/client-node';
import { ulid } from 'ulid';
import type { KubernetesAgent } from '../../config';
import { isWorkbayError, WorkbayError } from '../../errors';
import { LISTING_TIMEOUT_MS, listingCommand, listingFailed, parseListing, type ConfigListing } from '../config-search';
import { LABELS } from '../driver';
import type { KubeClients } from './client';
import { runHelperPod } from './pods';

/** Label value of listing helper pods. */
export const LISTING_HELPER = 'config-listing';

/**
 * Pure builder of the listing helper pod: the git image runs the listing script, cloning into its
 * own file system (no PVC), and never restarts. The provider's labels are kept so admission and
 * quota rules that select on them still apply.
 */
export function listingPodSpec(agent: KubernetesAgent, namespace: string, gitImage: string, argv: string[]): V1Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: `workbay-configs-${ulid().toLowerCase()}`, namespace,
      labels: { ...agent.labels, [LABELS.managedBy]: 'workbay', 'workbay.dev/helper': LISTING_HELPER },
    },
    spec: {
      restartPolicy: 'Never',
      activeDeadlineSeconds: Math.ceil(LISTING_TIMEOUT_MS / 1000),
      containers: [{ name: 'list', image: gitImage, command: argv, env: [{ name: 'GIT_TERMINAL_PROMPT', value: '0' }] }],
    },
  };
}

/**
 * Lists a repository's dev container configurations with a throwaway helper pod in the provider's
 * namespace (deleted afterwards either way), as the Docker driver does with a helper container.
 *
 * @throws WorkbayError `driver.sourceFailed` (clone failed or took longer than LISTING_TIMEOUT_MS).
 */
export async function listKubeConfigs(k: KubeClients, agent: KubernetesAgent, gitImage: string, source: { url: string; ref?: string }, gitOptions: string[] = []): Promise<ConfigListing> {
  const { argv, marker } = listingCommand(source.url, source.ref, gitOptions);
  let r: { phase: string; log: string };
  try {
    r = await runHelperPod(k.core, k.namespace, listingPodSpec(agent, k.namespace, gitImage, argv), LISTING_TIMEOUT_MS, k.timings);
  } catch (err) {
    if (isWorkbayError(err, 'driver.unreachable') && /did not reach Completed/.test(err.message)) {
      throw new WorkbayError('driver.sourceFailed', `listing the repository's dev container configurations took longer than ${LISTING_TIMEOUT_MS / 1000} s and was stopped`, { cause: err });
    }
    throw err;
  }
  if (r.phase !== 'Succeeded') throw listingFailed(`pod ${r.phase}`, r.log.split(`${marker} cloned`)[0] ?? '');
  return parseListing(r.log, marker);
}
