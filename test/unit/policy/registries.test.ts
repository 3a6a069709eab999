import { describe, expect, it } from 'vitest';
import { loadProvider } from '../../../lib/config';
import { registryCredentials } from '../../../lib/features';
import { registryHostKey, registryLogin } from '../../../lib/policy';
import { localSecrets } from '../../../lib/secrets';
import { configErrorOf, fieldError } from '../config/helpers';

const provider = (registries: string) => `name: p\nworkbay:\n  registries:\n${registries}`;

describe('registry hosts: one key for every spelling', () => {
  it('Docker Hub\'s names are one host; case does not matter; ports do', () => {
    expect(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'Docker.IO', ' INDEX.docker.io '].map(registryHostKey)).toEqual(Array(5).fill('docker.io'));
    expect(registryHostKey('GHCR.io')).toBe('ghcr.io');
    expect(registryHostKey('registry.example.com:5000')).not.toBe(registryHostKey('registry.example.com'));
    expect(registryHostKey('docker.io.evil.example')).toBe('docker.io.evil.example');
  });

  it('a login written for any Hub alias serves the others; a look-alike gets none', () => {
    const regs = { 'index.docker.io': { username: 'robot', password: 'env:HUB' } };
    for (const host of ['docker.io', 'registry-1.docker.io', 'INDEX.DOCKER.IO']) expect(registryLogin(regs, host)?.key, host).toBe('index.docker.io');
    expect(registryLogin(regs, 'docker.io.evil.example')).toBeUndefined();
    expect(registryLogin({ 'Ghcr.io': { username: 'u', password: 'env:X' } }, 'ghcr.io')?.key).toBe('Ghcr.io');
    expect(registryLogin(undefined, 'ghcr.io')).toBeUndefined();
  });

  it('the Features loader fetches the secret once for all aliases and names the field as written', async () => {
    const asked: string[] = [];
    const lookup = registryCredentials({ 'docker.io': { username: 'robot', password: 'env:HUB_PASSWORD' } }, (ref, field) => {
      asked.push(`${ref} ${field}`);
      return localSecrets({ HUB_PASSWORD: 's3cret\n' })(ref, field);
    })!;
    expect(await lookup('registry-1.docker.io')).toEqual({ username: 'robot', password: 's3cret' });
    expect(await lookup('Index.Docker.io')).toEqual({ username: 'robot', password: 's3cret' });
    expect(await lookup('quay.io')).toBeUndefined();
    expect(asked).toEqual(['env:HUB_PASSWORD workbay.registries["docker.io"].password']);
  });

  it('two aliases of one registry in the provider file is an error naming the second, with its line', () => {
    const err = configErrorOf(() => loadProvider(provider('    docker.io:\n      username: a\n      password: env:A\n    Index.Docker.io:\n      username: b\n      password: env:B\n')));
    expect(fieldError(err, 'workbay.registries.Index.Docker.io')).toMatchObject({ line: 7, message: expect.stringMatching(/index\.docker\.io and docker\.io are the same registry/) });
    const twice = configErrorOf(() => loadProvider(provider('    ghcr.io:\n      username: a\n      password: env:A\n    GHCR.io:\n      username: b\n      password: env:B\n')));
    expect(fieldError(twice, 'workbay.registries.GHCR.io').message).toMatch(/ghcr\.io is listed twice/);
  });
});
