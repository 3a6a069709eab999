import type Docker from 'dockerode';
import { metadataEntries } from '../../policy/asks';
import { withImageMetadata, type ResolvedDevcontainer } from '../devcontainer';
import { LABELS } from '../driver';
import { engine } from './errors';

/** What an image on the engine says about itself: its `devcontainer.metadata` entries, Env and User. */
export interface ImageFacts {
  entries: unknown[];
  env: string[];
  user: string;
  id: string;
}

/** Reads the image's label (with the policy's parser, so what is merged is what was judged), Env and User; from `inspected` when given. */
export async function imageFacts(docker: Docker, image: string, inspected?: Docker.ImageInspectInfo): Promise<ImageFacts> {
  const info = inspected ?? await engine(`inspecting image ${image}`, () => docker.getImage(image).inspect());
  const { entries } = metadataEntries(info.Config?.Labels?.[LABELS.metadata]);
  return { entries, env: info.Config?.Env ?? [], user: info.Config?.User ?? '', id: info.Id };
}

/** The resolved config with the image's metadata merged in (see withImageMetadata). */
export async function mergeImageLabel(docker: Docker, r: ResolvedDevcontainer, image: string, inspected?: Docker.ImageInspectInfo): Promise<ResolvedDevcontainer> {
  const facts = await imageFacts(docker, image, inspected);
  return withImageMetadata(r, facts.entries, facts.env);
}
