import type { TestProject } from 'vitest/node';
import { ensureTestDocker, ensureTestImages } from './dockerd';
import { provisionSystemParts } from './provision';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

/**
 * Installs the system parts the suites need (as root on Debian), starts (or finds) the test Docker
 * engine once for the whole run and builds the local images. Tests read it with `inject('dockerHost')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  provisionSystemParts();
  const host = await ensureTestDocker();
  ensureTestImages(host);
  project.provide('dockerHost', host);
}
