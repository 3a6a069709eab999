import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path of a provider fixture under test/fixtures/providers. */
export const providerPath = (name: string) => fileURLToPath(new URL(`../fixtures/providers/${name}.yaml`, import.meta.url));

/** Text of a provider fixture: the page's examples (`simple-kubernetes`, `docker-page`) and DevPod's docker provider. */
export const providerYaml = (name: string) => readFileSync(providerPath(name), 'utf8');
