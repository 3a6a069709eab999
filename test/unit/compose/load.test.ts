import { describe, expect, it } from 'vitest';
import { configErrorOf, fieldError, load, one } from './helpers';

// The shape of the devcontainers CLI's own compose test configs (an app built from a Dockerfile next
// to a database with a healthcheck), written the way real repositories write them.
const APP_AND_DB = `version: '3.8'
services:
  app:
    build:
      context: ..
      dockerfile: .devcontainer/Dockerfile
      args:
        VARIANT: "20"
    volumes:
      - ..:/workspaces/app:cached
      - node_modules:/workspaces/app/node_modules
    command: sleep infinity
    environment:
      - DB_HOST=db
      - DB_PORT=5432
    depends_on:
      db:
        condition: service_healthy
    cap_add: [SYS_PTRACE]
    security_opt:
      - seccomp=unconfined
  db:
    image: postgres:16-alpine
    restart: unless-stopped
    environment:
      POSTGRES_PASSWORD: postgres
      POSTGRES_DB: app
    volumes:
      - type: volume
        source: db-data
        target: /var/lib/postgresql/data
    healthcheck:
      test: pg_isready -U postgres
      interval: 1m30s
      timeout: 5s
      retries: 5
      start_period: 500ms
    networks:
      default:
        aliases: [database]
volumes:
  node_modules:
  db-data:
`;

describe('loadComposeProject: the app-and-database project', () => {
  it('normalises every service the way the engine takes it', async () => {
    const p = await one(APP_AND_DB);
    expect(Object.keys(p.services)).toEqual(['app', 'db']);
    expect(p.name).toBe('ws-01');
    expect(p.files).toEqual(['.devcontainer/docker-compose.yml']);
    const app = p.services.app!;
    expect(app.build).toEqual({ context: '.', dockerfile: '.devcontainer/Dockerfile', args: { VARIANT: '20' } });
    expect(app.command).toEqual(['sleep', 'infinity']);
    expect(app.environment).toEqual({ DB_HOST: 'db', DB_PORT: '5432' });
    expect(app.volumes).toEqual([
      { type: 'source', source: '.', target: '/workspaces/app', readOnly: false },
      { type: 'volume', source: 'node_modules', target: '/workspaces/app/node_modules', readOnly: false },
    ]);
    expect(app.dependsOn).toEqual({ db: { condition: 'service_healthy', required: true } });
    expect(app).toMatchObject({ capAdd: ['SYS_PTRACE'], securityOpt: ['seccomp=unconfined'], privileged: false, networks: {} });
    const db = p.services.db!;
    expect(db.image).toBe('postgres:16-alpine');
    expect(db.healthcheck).toEqual({ test: ['CMD-SHELL', 'pg_isready -U postgres'], intervalMs: 90_000, timeoutMs: 5000, retries: 5, startPeriodMs: 500 });
    expect(db.environment).toEqual({ POSTGRES_PASSWORD: 'postgres', POSTGRES_DB: 'app' });
    expect(db.networks).toEqual({ default: { aliases: ['database'] } });
    expect(p.volumes).toEqual({ node_modules: { external: false, labels: {} }, 'db-data': { external: false, labels: {} } });
    expect(Object.keys(p.networks)).toEqual(['default']);
    expect(p.warnings.some((w) => /services\.db\.restart is ignored/.test(w))).toBe(true);
    expect(p.warnings.some((w) => /version/.test(w))).toBe(true);
  });

  it('reads a compose file at the root with build shorthand and a list test', async () => {
    const p = await load({
      compose: ['docker-compose.yml'],
      files: {
        'docker-compose.yml': 'services:\n  web:\n    build: ./web\n    entrypoint: ["/bin/sh", "-c"]\n    command: "echo \'hello world\' \\"a b\\""\n    healthcheck:\n      test: ["CMD", "wget", "-q", "localhost"]\n',
      },
    });
    const web = p.services.web!;
    expect(web.build).toEqual({ context: 'web', dockerfile: 'web/Dockerfile', args: {} });
    expect(web.entrypoint).toEqual(['/bin/sh', '-c']);
    expect(web.command).toEqual(['echo', 'hello world', 'a b']);
    expect(web.healthcheck).toEqual({ test: ['CMD', 'wget', '-q', 'localhost'] });
  });

  it('reads network_mode service:x, user, working_dir, labels, tty and top-level networks', async () => {
    const p = await one(`services:
  app:
    image: debian:bookworm
    network_mode: service:db
    user: "1000:1000"
    working_dir: /workspaces/app
    init: true
    tty: true
    stdin_open: true
    labels: ["com.example.team=dev", "flag"]
    ports: ["5432:5432", 8080]
  db:
    image: postgres:16
    networks: [back]
networks:
  back:
    internal: true
    labels: { tier: back }
`);
    expect(p.services.app).toMatchObject({ networkMode: 'service:db', user: '1000:1000', workingDir: '/workspaces/app', init: true, tty: true, stdinOpen: true, labels: { 'com.example.team': 'dev', flag: '' }, ports: ['5432:5432', '8080'] });
    // Joining db's network namespace means starting after db, as Compose orders it.
    expect(p.services.app!.dependsOn).toEqual({ db: { condition: 'service_started', required: true } });
    expect(p.services.db!.networks).toEqual({ back: { aliases: [] } });
    // No service is left on the default network, so none is made.
    expect(p.networks).toEqual({ back: { external: false, internal: true, labels: { tier: 'back' } } });
    expect(p.warnings.some((w) => /ports publishes nothing/.test(w))).toBe(true);
  });

  it('reads YAML anchors and merge keys, as compose files share settings with x- extensions', async () => {
    const p = await one(`x-common: &common
  image: busybox:1.36
  environment:
    SHARED: "1"
services:
  a:
    <<: *common
  b:
    <<: *common
    command: ["true"]
`);
    expect(p.services.a).toMatchObject({ image: 'busybox:1.36', environment: { SHARED: '1' } });
    expect(p.services.b!.command).toEqual(['true']);
  });
});

describe('env_file and .env', () => {
  it('reads env files relative to the project folder, under environment', async () => {
    const p = await one(
      'services:\n  app:\n    image: busybox\n    env_file: [app.env, ../common.env]\n    environment:\n      MODE: override\n',
      {
        '.devcontainer/app.env': '# settings\nMODE=file\nexport TOKEN="a b\\nc"\nLITERAL=\'$NOT\'\nURL=http://${HOST:-localhost}:80 # comment\n',
        'common.env': 'COMMON=yes\n',
      },
    );
    expect(p.services.app!.environment).toEqual({ MODE: 'override', TOKEN: 'a b\nc', LITERAL: '$NOT', URL: 'http://localhost:80', COMMON: 'yes' });
  });

  it('refuses an env file that is not in the repository, at its line', async () => {
    const err = await configErrorOf(one('services:\n  app:\n    image: busybox\n    env_file: missing.env\n'));
    expect(fieldError(err, 'services.app.env_file')).toMatchObject({ line: 4, message: expect.stringMatching(/\.devcontainer\/missing\.env.*not in the repository/) });
  });

  it('takes interpolation variables from .env beside the first file, the request env winning', async () => {
    const p = await one('services:\n  app:\n    image: "busybox:${TAG}"\n    environment:\n      - WHO=${WHO}\n      - FROM_ENV\n', { '.devcontainer/.env': 'TAG=1.36\nWHO=dotenv\n' }, { WHO: 'request', FROM_ENV: 'passed' });
    expect(p.services.app!.image).toBe('busybox:1.36');
    expect(p.services.app!.environment).toEqual({ WHO: 'request', FROM_ENV: 'passed' });
  });
});
