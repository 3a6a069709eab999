import { describe, expect, it } from 'vitest';
import { configErrorOf, fieldError, one } from './helpers';

const FILE = `services:
  app:
    image: "\${REGISTRY:-docker.io}/library/busybox:\${TAG-1.36}"
    environment:
      PLAIN: $USER_NAME
      EMPTY_DEFAULT: "\${EMPTY:-fallback}"
      EMPTY_DASH: "\${EMPTY-kept-empty}"
      ALT: "\${USER_NAME:+set}"
      NESTED: "\${MISSING:-\${USER_NAME}-x}"
      ESCAPED: "$$HOME and $\${NOT}"
    privileged: \${PRIV:-false}
    healthcheck:
      test: ["CMD", "true"]
      retries: \${RETRIES:-3}
`;

describe('interpolation', () => {
  it('substitutes variables with defaults, alternatives and $$ escapes; keys typed from strings', async () => {
    const p = await one(FILE, {}, { USER_NAME: 'ada', EMPTY: '' });
    const app = p.services.app!;
    expect(app.image).toBe('docker.io/library/busybox:1.36');
    expect(app.environment).toEqual({
      PLAIN: 'ada', EMPTY_DEFAULT: 'fallback', EMPTY_DASH: '', ALT: 'set', NESTED: 'ada-x', ESCAPED: '$HOME and ${NOT}',
    });
    expect(app.privileged).toBe(false);
    expect(app.healthcheck!.retries).toBe(3);
  });

  it('takes the request env, never the server\'s process env', async () => {
    process.env.WORKBAY_TEST_SECRET = 'server-only';
    try {
      const p = await one('services:\n  app:\n    image: busybox\n    environment:\n      V: "${WORKBAY_TEST_SECRET}"\n');
      expect(p.services.app!.environment.V).toBe('');
      expect(p.warnings).toContain('the variable WORKBAY_TEST_SECRET is not set; an empty string is used (.devcontainer/docker-compose.yml)');
    } finally {
      delete process.env.WORKBAY_TEST_SECRET;
    }
  });

  it('refuses ${VAR:?message} without a value, with the user\'s message and the line', async () => {
    const err = await configErrorOf(one('services:\n  app:\n    image: busybox\n    environment:\n      DB_URL: "${DB_URL:?set DB_URL to your database}"\n', {}, { DB_URL: '' }));
    const e = fieldError(err, 'services.app.environment.DB_URL');
    expect(e).toMatchObject({ line: 5, column: 15 });
    expect(e.message).toBe('required variable DB_URL is not set: set DB_URL to your database');
    expect(e.hint).toMatch(/DB_URL/);
    // `?` without the colon accepts an empty value.
    const p = await one('services:\n  app:\n    image: busybox\n    environment:\n      DB_URL: "${DB_URL?needed}"\n', {}, { DB_URL: '' });
    expect(p.services.app!.environment.DB_URL).toBe('');
  });

  it('refuses a malformed expression and a lone $ with a hint to write $$', async () => {
    const err = await configErrorOf(one('services:\n  app:\n    image: busybox\n    command: ["sh", "-c", "echo $1"]\n    working_dir: "${unclosed"\n'));
    expect(fieldError(err, 'services.app.command[2]')).toMatchObject({ line: 4, hint: expect.stringContaining('$$') });
    expect(fieldError(err, 'services.app.working_dir').message).toMatch(/not closed/);
  });
});
