import type { TestProject } from 'vitest/node';
import { ensureTestDocker, ensureTestImages } from './dockerd';

declare module 'vitest' {
  export interface ProvidedContext {
    dockerHost: string;
  }
}

/**
 * Starts (or finds) the test Docker engine once for the whole run and builds the local images.
 * Tests read it with `inject('dockerHost')`.
 */
export default async function setup(project: TestProject): Promise<void> {
  const host = await ensureTestDocker();
  ensureTestImages(host);
  project.provide('dockerHost', host);
}
