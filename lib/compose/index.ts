/**
 * Docker Compose projects for dev containers (`dockerComposeFile`): the loader (files merged,
 * interpolated, validated against the official Compose schema and workbay's supported subset) and
 * the policy's view of a project. Pure: files come in through the caller; nothing touches an engine.
 */
export { loadComposeProject, MAX_COMPOSE_FILES, MAX_COMPOSE_FILE_BYTES, type ComposeInput } from './load';
export { composeAsks } from './asks';
export { parseComposeDuration, splitShellWords } from './values';
export type * from './types';
