import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../../lib/config';

const warnings = (yaml: string) => loadProvider(yaml).definition.warnings.filter((w) => w.includes('install'));

describe('install is for ssh:// engines only', () => {
  it('is reported as not applicable on the local engine, unix:// and tcp:// targets', () => {
    expect(warnings('name: a\ninstall: true\n')).toEqual([expect.stringContaining("DOCKER_HOST is empty (the control plane's own engine)")]);
    expect(warnings('name: b\nagent:\n  docker:\n    install: true\n    env:\n      DOCKER_HOST: tcp://127.0.0.1:2376\n')[0]).toMatch(/^agent\.docker\.install is not applicable here: DOCKER_HOST is "tcp:\/\/127\.0\.0\.1:2376"/);
    expect(warnings('name: c\noptions:\n  H:\n    default: unix:///x.sock\nagent:\n  docker:\n    install: "true"\n    env:\n      DOCKER_HOST: ${H}\n')).toHaveLength(1);
  });

  it('says nothing for ssh:// targets or install: false', () => {
    expect(warnings('name: d\nagent:\n  docker:\n    install: true\n    env:\n      DOCKER_HOST: ssh://root@127.0.0.1\n')).toEqual([]);
    expect(warnings('name: e\ninstall: false\n')).toEqual([]);
  });

  it('the SSH key, known hosts, socket and install command cannot be fed by a user-settable option', () => {
    for (const key of ['DOCKER_SSH_KEY', 'DOCKER_SSH_KNOWN_HOSTS', 'DOCKER_SSH_SOCKET', 'DOCKER_INSTALL_COMMAND']) {
      const yaml = `name: f\noptions:\n  V:\n    userSettable: true\nagent:\n  docker:\n    env:\n      ${key}: \${V}\n`;
      const err = (() => { try { loadProvider(yaml); } catch (e) { return e as { errors: { field: string; message: string }[] }; } })();
      expect(err?.errors[0]).toMatchObject({ field: 'options.V.userSettable', message: expect.stringContaining(`agent.docker.env.${key}`) });
    }
  });
});
