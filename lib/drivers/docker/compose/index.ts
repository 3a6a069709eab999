/**
 * Docker Compose dev containers on the Docker driver (issue 12): a loaded ComposeProject (lib/compose)
 * run over the Engine API, no `docker compose` binary. Objects are named and labelled as Compose v2
 * names them (`<project>-<service>-1`, `<project>_default`, `<project>_<volume>`), so the Compose CLI
 * on the engine host shows the project, and carry workbay's labels, so delete and the orphan
 * collector find them. The engine is the record: start and stop read the containers' labels.
 */
export { createProject, loadProject, type ComposeContext } from './up';
export { startProject, stopProject } from './run';
export { removeLabelled } from './objects';
export { isComposeContainer, projectOf, containerName, COMPOSE, SERVICE_LABEL } from './labels';
export { composeSettingsOf, type ComposeSettings } from './settings';
