import type { ResolvedDevcontainer } from '../../devcontainer';
import type { ComposeSettings } from './up';

/** The Compose keys of a resolved devcontainer.json (`dockerComposeFile`, `service`, …); undefined for a single container. */
export function composeSettingsOf(r: ResolvedDevcontainer): ComposeSettings | undefined {
  return (r.config as { dockerCompose?: ComposeSettings }).dockerCompose;
}
