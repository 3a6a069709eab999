import { describe, expect, it } from 'vitest';
import { parseDevcontainer } from '../../../lib/config';
import { configErrorOf, fieldError } from '../config/helpers';

// The shape of the devcontainers CLI's compose test configs (e.g. compose-image-with-features).
const COMPOSE_CONFIG = `{
  // an app service next to a database
  "name": "app and db",
  "dockerComposeFile": ["docker-compose.yml", "docker-compose.extend.yml"],
  "service": "app",
  "runServices": ["app", "db"],
  "workspaceFolder": "/workspaces/\${localWorkspaceFolderBasename}",
  "shutdownAction": "none",
  "remoteUser": "node",
  "postCreateCommand": "npm ci",
}`;

describe('devcontainer.json with dockerComposeFile', () => {
  it('reads the compose keys, with overrideCommand false by default', () => {
    const cfg = parseDevcontainer(COMPOSE_CONFIG, '.devcontainer/devcontainer.json');
    expect(cfg.dockerCompose).toEqual({
      files: ['docker-compose.yml', 'docker-compose.extend.yml'], service: 'app', runServices: ['app', 'db'], shutdownAction: 'none',
    });
    expect(cfg.image).toBeUndefined();
    expect(cfg.build).toBeUndefined();
    expect(cfg.overrideCommand).toBe(false);
    expect(cfg.workspaceFolder).toBe('/workspaces/${localWorkspaceFolderBasename}');
    expect(cfg.postCreateCommand).toEqual([{ shell: 'npm ci' }]);
    expect(cfg.warnings).toEqual([]);
  });

  it('takes one file as a string, defaults shutdownAction to stopCompose and workspaceFolder to /', () => {
    const cfg = parseDevcontainer('{"dockerComposeFile": "compose.yml", "service": "dev", "overrideCommand": true, "runArgs": ["--privileged"]}');
    expect(cfg.dockerCompose).toEqual({ files: ['compose.yml'], service: 'dev', shutdownAction: 'stopCompose' });
    expect(cfg.overrideCommand).toBe(true);
    expect(cfg.workspaceFolder).toBe('/');
    expect(cfg.warnings).toEqual([
      '"runArgs" is ignored with dockerComposeFile: set it on the service in the compose file',
      'workspaceFolder is not set: "/" is used, as the spec says for compose configs; set it to where the compose file mounts the source',
    ]);
  });

  it('refuses image or build next to dockerComposeFile, naming both', () => {
    const err = configErrorOf(() => parseDevcontainer('{\n"image": "debian",\n"dockerComposeFile": "c.yml",\n"service": "app"\n}'));
    expect(fieldError(err, 'dockerComposeFile')).toMatchObject({ line: 3, message: 'set either dockerComposeFile or image, not both' });
    const err2 = configErrorOf(() => parseDevcontainer('{"build": {"dockerfile": "Dockerfile"}, "dockerComposeFile": "c.yml", "service": "app"}'));
    expect(fieldError(err2, 'dockerComposeFile').message).toBe('set either dockerComposeFile or build.dockerfile, not both');
  });

  it('needs service, and checks the shapes of the compose keys with their lines', () => {
    expect(fieldError(configErrorOf(() => parseDevcontainer('{"dockerComposeFile": "c.yml"}')), 'dockerComposeFile').message).toMatch(/needs service/);
    const err = configErrorOf(() => parseDevcontainer('{"dockerComposeFile": [],\n "service": 3,\n "runServices": "db",\n "shutdownAction": "stopContainer"}'));
    expect(fieldError(err, 'dockerComposeFile').line).toBe(1);
    expect(fieldError(err, 'service').line).toBe(2);
    expect(fieldError(err, 'runServices').line).toBe(3);
    expect(fieldError(err, 'shutdownAction')).toMatchObject({ line: 4, message: 'must be "none" or "stopCompose" with dockerComposeFile, not "stopContainer"' });
  });
});
