import type { DevcontainerCompose } from '../../../config';
import type { ResolvedDevcontainer } from '../../devcontainer';

/** devcontainer.json's Compose keys, as lib/config resolves them. */
export type ComposeSettings = DevcontainerCompose;

/** The Compose keys of a resolved devcontainer.json (`dockerComposeFile`, `service`, …); undefined for a single container. */
export function composeSettingsOf(r: ResolvedDevcontainer): ComposeSettings | undefined {
  return r.config.dockerCompose;
}
