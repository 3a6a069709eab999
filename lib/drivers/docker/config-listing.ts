import type Docker from 'dockerode';
import { ulid } from 'ulid';
import { isWorkbayError, WorkbayError } from '../../errors';
import { LISTING_TIMEOUT_MS, listingCommand, listingFailed, parseListing, type ConfigListing } from '../config-search';
import { LABELS } from '../driver';
import { engine, isMissing } from './errors';
import { ensureImage } from './image';
import { demuxText, type HelperSettings } from './source';

/** Label value of listing helpers, so a test (or an operator) can tell them from a workspace's objects. */
export const LISTING_HELPER = 'config-listing';

/** The stdout and stderr of a non-TTY log buffer, apart. */
function demuxStreams(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  for (let i = 0; i + 8 <= buf.length;) {
    const len = buf.readUInt32BE(i + 4);
    (buf[i] === 2 ? err : out).push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * Lists a git repository's dev container configurations on the engine: one throwaway helper
 * container makes a shallow clone inside its own file system (no volume), prints each
 * devcontainer.json in the spec's search places, and is removed whatever happens. The control plane
 * itself never clones (it may be a Lambda without git, far from the repository's network).
 *
 * @throws WorkbayError `driver.sourceFailed` (clone failed or took longer than LISTING_TIMEOUT_MS),
 *   `driver.imageUnavailable` (the helper image is not on the engine).
 */
export async function listDockerConfigs(docker: Docker, helper: HelperSettings, source: { url: string; ref?: string }, timeoutMs = LISTING_TIMEOUT_MS): Promise<ConfigListing> {
  try {
    await ensureImage(docker, helper.image, () => undefined);
  } catch (err) {
    if (!isWorkbayError(err, 'driver.imageUnavailable')) throw err;
    throw new WorkbayError('driver.imageUnavailable', `the git helper image "${helper.image}" is not on the engine and could not be pulled, so the repository cannot be listed; set WORKBAY_HELPER_IMAGE to an image with git (and /bin/sh) that this engine has. ${err.message}`, { cause: err });
  }
  const { argv, marker } = listingCommand(source.url, source.ref, helper.gitOptions);
  const c = await engine('creating a listing helper container', () => docker.createContainer({
    name: `workbay-configs-${ulid().toLowerCase()}`, Image: helper.image, Cmd: argv, Env: ['GIT_TERMINAL_PROMPT=0'],
    Labels: { [LABELS.managedBy]: 'workbay', 'workbay.dev/helper': LISTING_HELPER },
    HostConfig: { ...(helper.network ? { NetworkMode: helper.network } : {}) },
  }));
  let timer: NodeJS.Timeout | undefined;
  try {
    await engine('starting a listing helper container', () => c.start());
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    const waiting = engine('waiting for a listing helper container', () => c.wait()) as Promise<{ StatusCode: number }>;
    // After a timeout the container is removed and this wait ends in an error nobody awaits any more.
    waiting.catch(() => undefined);
    const res = await Promise.race([waiting, timedOut]);
    if (res === 'timeout') {
      throw new WorkbayError('driver.sourceFailed', `listing the repository's dev container configurations took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
    }
    const logs = (await engine('reading a listing helper\'s output', () => c.logs({ stdout: true, stderr: true }))) as unknown as Buffer;
    const { stdout, stderr } = demuxStreams(logs);
    if (res.StatusCode !== 0) throw listingFailed(`exit ${res.StatusCode}`, stderr || demuxText(logs));
    return parseListing(stdout, marker);
  } finally {
    clearTimeout(timer);
    await c.remove({ force: true }).catch((err) => {
      if (!isMissing(err)) throw err;
    });
  }
}
