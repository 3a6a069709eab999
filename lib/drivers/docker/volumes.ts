import type Docker from 'dockerode';
import type { DriverTimings } from '../timings';
import { engineStatus, isMissing, translate } from './errors';

/**
 * Removes a volume, already gone counting as done. A volume stays "in use" (409) for a moment while a
 * concurrent container removal finishes, so that answer is retried within the driver's timings.
 *
 * @param what the volume as messages name it, e.g. `the workspace volume`.
 */
export async function removeVolume(docker: Docker, name: string, what: string, timings: Pick<DriverTimings, 'volumeRemoveRetries' | 'volumeRemoveDelayMs'>): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await docker.getVolume(name).remove();
      return;
    } catch (err) {
      if (isMissing(err)) return;
      if (engineStatus(err) !== 409 || i >= timings.volumeRemoveRetries) throw translate(err, `removing ${what}`);
      await new Promise((r) => setTimeout(r, timings.volumeRemoveDelayMs));
    }
  }
}
