import { describe, expect, it } from 'vitest';
import { mergeMetadata, parseDevcontainer, substituteContainerEnv } from '../../../lib/config';

const config = (extra: Record<string, unknown> = {}) => parseDevcontainer(JSON.stringify({ image: 'x', ...extra }));

describe('merging the image devcontainer.metadata under devcontainer.json', () => {
  const entries = [
    { id: 'base', remoteUser: 'node', containerEnv: { A: '1', B: 'base' }, remoteEnv: { R: 'base' }, postCreateCommand: 'echo base', forwardPorts: [3000] },
    { id: 'feature', remoteUser: 'vscode', containerEnv: { B: 'feature' }, postCreateCommand: ['echo', 'feature'], entrypoint: '/dind.sh' },
  ];
  it('scalars last wins, env per variable, ports unioned, hooks collected in order before the config\'s', () => {
    const m = mergeMetadata(config({ postCreateCommand: 'echo own', forwardPorts: [3000, 8080] }), entries);
    expect(m.config.remoteUser).toBe('vscode');
    expect(m.config.containerEnv).toEqual({ A: '1', B: 'feature' });
    expect(m.config.remoteEnv).toEqual({ R: 'base' });
    expect(m.config.forwardPorts).toEqual([3000, 8080]);
    expect(m.contributed.postCreateCommand).toEqual([
      { origin: 'base', command: [{ shell: 'echo base' }] },
      { origin: 'feature', command: [{ argv: ['echo', 'feature'] }] },
    ]);
    expect(m.config.postCreateCommand).toEqual([{ shell: 'echo own' }]);
    expect(m.config.warnings.join('\n')).toMatch(/feature: entrypoint "\/dind.sh" is not run/);
  });
  it('the config has the last word', () => {
    const m = mergeMetadata(config({ remoteUser: 'root', containerEnv: { B: 'config' }, remoteEnv: { R: null } }), entries);
    expect(m.config.remoteUser).toBe('root');
    expect(m.config.containerEnv.B).toBe('config');
    expect(m.config.remoteEnv).toEqual({ R: null });
  });
  it('an entry\'s containerEnv the image already carries (a Feature\'s ENV) keeps the image\'s value', () => {
    const m = mergeMetadata(config(), [{ containerEnv: { PATH: '/opt/x:${PATH}' } }], { PATH: '/opt/x:/bin' });
    expect(m.config.containerEnv).toEqual({});
  });
  it('${containerEnv:VAR} comes from the image and containerEnv, with a default', () => {
    const c = substituteContainerEnv(config({ containerEnv: { HOME_BIN: '${containerEnv:HOME}/bin' }, remoteEnv: { P: '${containerEnv:PATH}:${containerEnv:HOME_BIN}', D: '${containerEnv:NOPE:fallback}' } }), { PATH: '/bin', HOME: '/root' });
    expect(c.containerEnv.HOME_BIN).toBe('/root/bin');
    expect(c.remoteEnv).toEqual({ P: '/bin:/root/bin', D: 'fallback' });
  });
});

describe('build.options', () => {
  it('applies --build-arg, --target, --no-cache and --pull, refuses the rest by name', () => {
    const b = parseDevcontainer(JSON.stringify({ build: { dockerfile: 'D', options: ['--build-arg', 'A=1', '--target=dev', '--no-cache', '--pull'] } })).build!;
    expect(b).toMatchObject({ args: { A: '1' }, target: 'dev', noCache: true, pull: true });
    expect(() => parseDevcontainer(JSON.stringify({ build: { dockerfile: 'D', options: ['--secret', 'id=x'] } }))).toThrow(/build option "--secret" is not supported/);
  });
});
