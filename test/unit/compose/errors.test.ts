import { describe, expect, it } from 'vitest';
import { MAX_COMPOSE_FILE_BYTES } from '../../../lib/compose';
import { configErrorOf, fieldError, load, one } from './helpers';

describe('schema errors (the official Compose JSON schema), with key path and line', () => {
  it('reports wrong types, unknown keys and bad enums where they are written', async () => {
    const err = await configErrorOf(one(`services:
  app:
    image: busybox
    build: 5
    environment:
      A: [1, 2]
    imagee: typo
    depends_on:
      db:
        condition: service_ready
  db:
    image: postgres
`));
    expect(err.message).toMatch(/^invalid compose file \.devcontainer\/docker-compose\.yml: /);
    expect(fieldError(err, 'services.app.build')).toMatchObject({ line: 4, column: 12, message: 'must be a string or a mapping' });
    expect(fieldError(err, 'services.app.environment.A')).toMatchObject({ line: 6, message: expect.stringMatching(/must be a string or a number or a boolean or empty/) });
    expect(fieldError(err, 'services.app.imagee')).toMatchObject({ line: 7, column: 5, message: '"imagee" is not a Compose key in services.app' });
    expect(fieldError(err, 'services.app.depends_on.db.condition')).toMatchObject({ line: 10, message: expect.stringContaining('"service_healthy"') });
  });

  it('refuses an invalid service name and a top-level key the spec does not know', async () => {
    const err = await configErrorOf(one('services:\n  "my app":\n    image: busybox\nservice:\n  x: 1\n'));
    expect(fieldError(err, 'services.my app')).toMatchObject({ line: 2, message: expect.stringMatching(/not a valid name/) });
    expect(fieldError(err, 'service')).toMatchObject({ line: 4, column: 1 });
  });

  it('reports YAML syntax errors and duplicate keys with line and column', async () => {
    const err = await configErrorOf(one('services:\n  app:\n    image: busybox\n    image: debian\n'));
    expect(err.errors[0]).toMatchObject({ field: 'document', line: 4 });
    expect(err.errors[0]!.message).toMatch(/unique/i);
  });
});

describe('keys outside the supported subset are refused by name and line', () => {
  it('refuses deploy, secrets, profiles, extends, devices, pid and ipc', async () => {
    const err = await configErrorOf(one(`services:
  app:
    image: busybox
    deploy:
      replicas: 2
    profiles: [debug]
    pid: host
    ipc: host
    devices: ["/dev/fuse:/dev/fuse"]
    extends:
      service: base
secrets:
  token:
    file: ./token.txt
`));
    expect(fieldError(err, 'services.app.deploy')).toMatchObject({ line: 4, column: 5, message: '"deploy" is not supported by workbay' });
    expect(fieldError(err, 'services.app.profiles')).toMatchObject({ line: 6, hint: expect.stringMatching(/runServices/) });
    expect(fieldError(err, 'services.app.pid')).toMatchObject({ line: 7, column: 5 });
    expect(fieldError(err, 'services.app.ipc').line).toBe(8);
    expect(fieldError(err, 'services.app.devices').line).toBe(9);
    expect(fieldError(err, 'services.app.extends').line).toBe(10);
    expect(fieldError(err, 'secrets')).toMatchObject({ line: 12, message: 'the top-level "secrets" is not supported by workbay' });
  });

  it('refuses unsupported nested keys and volume types', async () => {
    const err = await configErrorOf(one(`services:
  app:
    image: busybox
    build:
      context: .
      cache_from: [x]
    volumes:
      - type: tmpfs
        target: /tmp/x
    network_mode: container:abc
`));
    expect(fieldError(err, 'services.app.build.cache_from')).toMatchObject({ line: 6, message: '"cache_from" in build is not supported by workbay' });
    // Schema-valid but not runnable values are checked only once no key is refused.
    expect(err.errors.some((e) => e.field === 'services.app.volumes[0]')).toBe(false);
    const err2 = await configErrorOf(one('services:\n  app:\n    image: busybox\n    volumes:\n      - type: tmpfs\n        target: /tmp/x\n    network_mode: container:abc\n'));
    expect(fieldError(err2, 'services.app.volumes[0]')).toMatchObject({ line: 5, message: expect.stringMatching(/tmpfs.*not supported/) });
    expect(fieldError(err2, 'services.app.network_mode')).toMatchObject({ line: 7, hint: 'Use service:NAME, none, host or bridge.' });
  });
});

describe('paths, references and values', () => {
  it('resolves binds against the first file\'s folder and refuses ".." above the repository', async () => {
    const err = await configErrorOf(one('services:\n  app:\n    image: busybox\n    volumes:\n      - ../..:/outside\n      - ~/.ssh:/root/.ssh\n'));
    expect(fieldError(err, 'services.app.volumes[0]')).toMatchObject({ line: 5, message: expect.stringMatching(/"\.\.\/\.\." leaves the repository/) });
    expect(fieldError(err, 'services.app.volumes[1]')).toMatchObject({ line: 6, message: expect.stringMatching(/home folder of the engine host/) });
    const p = await one('services:\n  app:\n    image: busybox\n    volumes:\n      - ./data:/data\n      - ../src/../docs:/docs:ro\n      - /srv/shared:/shared\n      - /anon\n');
    expect(p.services.app!.volumes).toEqual([
      { type: 'source', source: '.devcontainer/data', target: '/data', readOnly: false },
      { type: 'source', source: 'docs', target: '/docs', readOnly: true },
      { type: 'host', source: '/srv/shared', target: '/shared', readOnly: false },
      { type: 'anonymous', target: '/anon', readOnly: false },
    ]);
  });

  it('refuses a depends_on cycle, naming it', async () => {
    const err = await configErrorOf(one(`services:
  app:
    image: busybox
    depends_on: [api]
  api:
    image: busybox
    depends_on:
      worker:
        condition: service_started
  worker:
    image: busybox
    depends_on: [app]
`));
    const e = err.errors.find((x) => /cycle/.test(x.message));
    expect(e?.message).toBe('depends_on has a cycle: app -> api -> worker -> app');
    expect(e).toMatchObject({ field: 'services.app.depends_on.api', line: 4 });
  });

  it('refuses references to services, networks and volumes that do not exist', async () => {
    const err = await configErrorOf(one(`services:
  app:
    image: busybox
    depends_on: [db]
    networks: [back]
    volumes: [data:/data]
  side:
    image: busybox
    network_mode: service:nope
`));
    expect(fieldError(err, 'services.app.volumes[0]')).toMatchObject({ line: 6, message: expect.stringMatching(/volume "data".*not declared/) });
    const err2 = await configErrorOf(one('services:\n  app:\n    image: busybox\n    depends_on: [db]\n    networks: [back]\n  side:\n    image: busybox\n    network_mode: service:nope\n'));
    expect(fieldError(err2, 'services.app.depends_on.db').message).toMatch(/"db", which is not a service/);
    expect(fieldError(err2, 'services.app.networks.back').message).toMatch(/not declared under the top-level networks/);
    expect(fieldError(err2, 'services.side.network_mode')).toMatchObject({ line: 8, message: expect.stringMatching(/"nope"/) });
  });

  it('refuses bad durations, shell operators in a string command and a service without image or build', async () => {
    const err = await configErrorOf(one(`services:
  app:
    command: npm install && npm start
    healthcheck:
      test: ["true"]
      interval: 10 seconds
`));
    expect(fieldError(err, 'services.app.command')).toMatchObject({ line: 3, hint: expect.stringContaining('["sh", "-c"') });
    expect(fieldError(err, 'services.app.healthcheck.interval')).toMatchObject({ line: 6, message: '"10 seconds" is not a duration' });
    expect(fieldError(err, 'services.app.healthcheck.test').message).toMatch(/starts with "CMD"/);
    const err2 = await configErrorOf(one('services:\n  app:\n    environment: [A=1]\n'));
    expect(fieldError(err2, 'services.app')).toMatchObject({ line: 2, message: 'service "app" has neither an image nor a build' });
  });
});

describe('limits', () => {
  it('refuses a file over the size limit before parsing it', async () => {
    const big = `services:\n  app:\n    image: busybox\n    environment:\n${'      K: "x"\n'.repeat(MAX_COMPOSE_FILE_BYTES / 12)}`;
    const err = await configErrorOf(one(big));
    expect(err.errors[0]!.message).toMatch(/bytes; at most 262144 are accepted/);
  });

  it('refuses an alias bomb and too many files', async () => {
    const bomb = 'x-a: &a ["x","x","x","x","x","x","x","x","x","x"]\nx-b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nx-c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nx-d: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\nservices:\n  app:\n    image: busybox\n';
    await configErrorOf(one(bomb));
    const files = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`c${i}.yml`, 'services: {}\n']));
    const err = await configErrorOf(load({ compose: Object.keys(files), files }));
    expect(fieldError(err, 'dockerComposeFile').message).toMatch(/at most 16/);
  });
});
