import { describe, expect, it } from 'vitest';
import { configErrorOf, fieldError, load } from './helpers';

const BASE = `services:
  app:
    build:
      context: ..
      dockerfile: .devcontainer/Dockerfile
      args: { VARIANT: "18", KEEP: "1" }
    command: ["npm", "start"]
    environment:
      A: base
      B: base
    labels: [team=web]
    volumes:
      - ..:/workspaces/app
      - cache:/cache
    cap_add: [SYS_PTRACE]
    depends_on: [db]
    healthcheck:
      test: ["CMD", "true"]
      interval: 10s
  db:
    image: postgres:15
volumes:
  cache:
    labels: { a: "1" }
`;

// An override file as `docker-compose.override.yml` or the devcontainers CLI's extra files write it.
const OVERRIDE = `services:
  app:
    build:
      args: { VARIANT: "20" }
    command: sleep infinity
    environment:
      - B=override
      - C=new
    labels: { tier: front }
    volumes:
      - ./cache-dir:/cache:ro
      - /var/run/docker.sock:/var/run/docker.sock
    cap_add: [SYS_PTRACE, NET_ADMIN]
    depends_on:
      db:
        condition: service_healthy
    healthcheck:
      timeout: 3s
  db:
    image: postgres:16
    healthcheck:
      test: pg_isready
  redis:
    image: redis:7
volumes:
  cache:
    labels: { b: "2" }
`;

describe('merging several compose files in order', () => {
  it('merges mappings key by key, volumes by target and replaces command', async () => {
    const p = await load({
      compose: ['.devcontainer/docker-compose.yml', '.devcontainer/docker-compose.extend.yml'],
      files: { '.devcontainer/docker-compose.yml': BASE, '.devcontainer/docker-compose.extend.yml': OVERRIDE },
    });
    const app = p.services.app!;
    expect(app.build).toEqual({ context: '.', dockerfile: '.devcontainer/Dockerfile', args: { VARIANT: '20', KEEP: '1' } });
    expect(app.command).toEqual(['sleep', 'infinity']);
    expect(app.environment).toEqual({ A: 'base', B: 'override', C: 'new' });
    expect(app.labels).toEqual({ team: 'web', tier: 'front' });
    // /cache is replaced in place by the override's bind (relative to the first file's folder).
    expect(app.volumes).toEqual([
      { type: 'source', source: '.', target: '/workspaces/app', readOnly: false },
      { type: 'source', source: '.devcontainer/cache-dir', target: '/cache', readOnly: true },
      { type: 'host', source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: false },
    ]);
    expect(app.capAdd).toEqual(['SYS_PTRACE', 'NET_ADMIN']);
    expect(app.dependsOn).toEqual({ db: { condition: 'service_healthy', required: true } });
    expect(app.healthcheck).toEqual({ test: ['CMD', 'true'], intervalMs: 10_000, timeoutMs: 3000 });
    expect(p.services.db).toMatchObject({ image: 'postgres:16', healthcheck: { test: ['CMD-SHELL', 'pg_isready'] } });
    expect(Object.keys(p.services)).toEqual(['app', 'db', 'redis']);
    expect(p.volumes.cache).toEqual({ external: false, labels: { a: '1', b: '2' } });
    expect(p.files).toEqual(['.devcontainer/docker-compose.yml', '.devcontainer/docker-compose.extend.yml']);
  });

  it('honours the !reset and !override merge tags on a service\'s keys', async () => {
    const p = await load({
      compose: ['compose.yml', 'compose.dev.yml'],
      files: {
        'compose.yml': 'services:\n  app:\n    image: busybox\n    ports: ["8080:80"]\n    command: ["serve"]\n    environment: { A: "1", B: "2" }\n    cap_add: [NET_ADMIN]\n',
        'compose.dev.yml': 'services:\n  app:\n    ports: !reset []\n    command: !reset null\n    environment: !override\n      C: "3"\n    cap_add: !override [SYS_PTRACE]\n',
      },
    });
    const app = p.services.app!;
    expect(app.ports).toEqual([]);
    expect(app.command).toBeUndefined();
    expect(app.environment).toEqual({ C: '3' });
    expect(app.capAdd).toEqual(['SYS_PTRACE']);
    expect(p.warnings.filter((w) => /tag/i.test(w))).toEqual([]);
    const err = await configErrorOf(load({ compose: ['compose.yml'], files: { 'compose.yml': 'services:\n  app:\n    image: !custom busybox\nvolumes: !reset {}\n' } }));
    expect(fieldError(err, 'services.app.image')).toMatchObject({ line: 3, message: 'the YAML tag !custom is not supported' });
    expect(fieldError(err, 'volumes')).toMatchObject({ line: 4, message: "!reset is supported only on a service's keys (services.NAME.KEY)" });
  });

  it('names the file of a problem when several are merged', async () => {
    const err = await configErrorOf(load({
      compose: ['docker-compose.yml', 'docker-compose.dev.yml'],
      files: { 'docker-compose.yml': 'services:\n  app:\n    image: busybox\n', 'docker-compose.dev.yml': 'services:\n  app:\n    privileged: "yes"\n' },
    }));
    expect(fieldError(err, 'services.app.privileged')).toMatchObject({ line: 3, message: expect.stringContaining('(in docker-compose.dev.yml)') });
  });
});
