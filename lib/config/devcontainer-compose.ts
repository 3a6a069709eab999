import { show, type Issues } from './issues';
import type { DevcontainerCompose } from './devcontainer-types';

const SHUTDOWN = ['none', 'stopCompose'] as const;

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '');

/**
 * The Compose keys of a devcontainer.json (`dockerComposeFile`, `service`, `runServices`,
 * `shutdownAction`), checked for shape only: the files are read, and `service`/`runServices`
 * matched against them, when the project is loaded (lib/compose). Undefined without
 * `dockerComposeFile`; `service` and friends alone are an error naming it.
 */
export function readComposeKeys(data: Record<string, unknown>, issues: Issues, warnings: string[]): DevcontainerCompose | undefined {
  const files = data.dockerComposeFile;
  if (files === undefined) {
    for (const key of ['service', 'runServices'] as const) {
      if (data[key] !== undefined) issues.add(key, `${key} needs dockerComposeFile`, { hint: 'Name the compose file(s) with dockerComposeFile, or remove it.' });
    }
    return undefined;
  }
  let list: string[] = [];
  if (typeof files === 'string' && files !== '') list = [files];
  else if (strings(files) && files.length > 0) list = files;
  else issues.add('dockerComposeFile', `must be a file name or a list of file names, not ${show(files)}`);

  const service = data.service;
  if (service === undefined) {
    issues.add('dockerComposeFile', 'dockerComposeFile needs service: the compose service workbay connects to', { hint: 'Add "service": "app" (the name of the dev service in the compose file).' });
  } else if (typeof service !== 'string' || service === '') {
    issues.add('service', `must be a service name, not ${show(service)}`);
  }
  const out: DevcontainerCompose = { files: list, service: typeof service === 'string' ? service : '', shutdownAction: 'stopCompose' };
  if (data.runServices !== undefined) {
    if (strings(data.runServices)) out.runServices = data.runServices;
    else issues.add('runServices', `must be a list of service names, not ${show(data.runServices)}`);
  }
  const shutdown = data.shutdownAction;
  if (shutdown !== undefined) {
    if ((SHUTDOWN as readonly unknown[]).includes(shutdown)) out.shutdownAction = shutdown as DevcontainerCompose['shutdownAction'];
    else issues.add('shutdownAction', `must be "none" or "stopCompose" with dockerComposeFile, not ${show(shutdown)}`);
  }
  // The reference CLI ignores these for compose configs too: the compose file says how to run.
  for (const key of ['runArgs', 'workspaceMount', 'appPort'] as const) {
    if (data[key] !== undefined) warnings.push(`"${key}" is ignored with dockerComposeFile: set it on the service in the compose file`);
  }
  if (data.workspaceFolder === undefined) {
    warnings.push('workspaceFolder is not set: "/" is used, as the spec says for compose configs; set it to where the compose file mounts the source');
  }
  return out;
}
