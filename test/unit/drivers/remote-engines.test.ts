import { describe, expect, it } from 'vitest';
import { expectedKeyTypes, fingerprintOf, knownHostsName, parseKnownHosts, verifyHostKey } from '../../../lib/drivers/docker/ssh-known-hosts';
import { attachPrefix, isPodmanPath, podmanDefaultHost, volumeBindsAsMounts } from '../../../lib/drivers/docker/podman';
import { parseSshHost } from '../../../lib/drivers/docker/target';

// Made with ssh-keygen (fingerprints as `ssh-keygen -lf -E sha256` printed them); public keys only.
const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII3c9vf46a34CmG0CrUebixgETdtz373mubDrrHpN5A5';
const ED_FP = 'SHA256:hWykfk8JlrDe7LfX4NyfFnRWwZT/VJpBnD6bkj12wjs';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDiQx55eV+BHVC6xngllU2+bbp5qpe5TYouFO0VzHkqhEPBIRYKJNx94iliPNqvgkSeyNv6TyQeTxxkx0KEEv7inJynrZSnvW348HQWzJvSHwp7PK5G5k/yoVCSl6Ro5Zmvt3qi+vW9/mc0SSW+C2w+8nJ74wKvUywYpGbWunGuFw==';
const RSA_FP = 'SHA256:gN54CWnwYJM96lfcP4ClgOjxKGqV3pnoFUHLdUGS5cg';
// `ssh-keygen -H` of "[10.1.2.3]:2222 <ED>"
const HASHED = `|1|ynhq1EyKgMTEQdKoCrVfOvLXjrc=|4cq2VkE/sJ7q+EkCxBXBUyuoIgI= ${ED}`;
const blob = (line: string) => Buffer.from(line.split(' ')[1]!, 'base64');

describe('known_hosts verification (fail closed)', () => {
  it('fingerprints like ssh-keygen', () => {
    expect(fingerprintOf(blob(ED))).toBe(ED_FP);
    expect(fingerprintOf(blob(RSA))).toBe(RSA_FP);
  });

  it('accepts the listed key for the host, by plain, [host]:port, wildcard and hashed names', () => {
    expect(verifyHostKey(parseKnownHosts(`build.example.com ${ED}`), 'build.example.com', blob(ED))).toEqual({ ok: true });
    expect(verifyHostKey(parseKnownHosts(`[10.1.2.3]:2222 ${ED}`), knownHostsName('10.1.2.3', 2222), blob(ED))).toEqual({ ok: true });
    expect(verifyHostKey(parseKnownHosts(`*.example.com,!evil.example.com ${ED}`), 'b.example.com', blob(ED))).toEqual({ ok: true });
    expect(verifyHostKey(parseKnownHosts(HASHED), '[10.1.2.3]:2222', blob(ED))).toEqual({ ok: true });
    expect(verifyHostKey(parseKnownHosts(`${ED} bare key line`), 'anything', blob(ED))).toEqual({ ok: true });
  });

  it('a different key for a known host is "changed", a host with no entry "unknown", both with the fingerprint seen', () => {
    const changed = verifyHostKey(parseKnownHosts(`# comment\n\nbuild ${ED}\n`), 'build', blob(RSA));
    expect(changed).toMatchObject({ ok: false, reason: 'changed', fingerprint: RSA_FP, type: 'ssh-rsa' });
    expect(verifyHostKey(parseKnownHosts(`other ${ED}`), 'build', blob(ED))).toMatchObject({ ok: false, reason: 'unknown', fingerprint: ED_FP, line: `build ${ED}` });
    expect(verifyHostKey(parseKnownHosts(''), 'build', blob(ED))).toMatchObject({ ok: false, reason: 'unknown' });
    expect(verifyHostKey(parseKnownHosts(`*.example.com,!evil.example.com ${ED}`), 'evil.example.com', blob(ED))).toMatchObject({ ok: false });
    expect(verifyHostKey(parseKnownHosts(HASHED), '[10.1.2.3]:22', blob(ED))).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('@revoked wins, @cert-authority is not trusted, garbage lines are ignored', () => {
    expect(verifyHostKey(parseKnownHosts(`build ${ED}\n@revoked build ${ED}`), 'build', blob(ED))).toMatchObject({ ok: false, reason: 'revoked' });
    expect(verifyHostKey(parseKnownHosts(`@cert-authority build ${ED}`), 'build', blob(ED))).toMatchObject({ ok: false, reason: 'unknown' });
    expect(parseKnownHosts('build ssh-ed25519 not-base64-of-that-type\nnonsense')).toEqual([]);
  });

  it('offers the known key types first, so the host shows a key we can check', () => {
    expect(expectedKeyTypes(parseKnownHosts(`build ${RSA}\nbuild ${ED}\nother ${ED}`), 'build')).toEqual(['ssh-rsa', 'ssh-ed25519']);
  });
});

describe('ssh:// DOCKER_HOST', () => {
  it('takes user, host and port; refuses a missing user, a password or a path', () => {
    expect(parseSshHost('ssh://deploy@build.example.com')).toEqual({ user: 'deploy', host: 'build.example.com', port: 22 });
    expect(parseSshHost('ssh://root@127.0.0.1:2222')).toEqual({ user: 'root', host: '127.0.0.1', port: 2222 });
    expect(() => parseSshHost('ssh://build.example.com')).toThrow(/names its user/);
    expect(() => parseSshHost('ssh://u:pw@build.example.com')).toThrow(/no password/);
    expect(() => parseSshHost('ssh://u@build.example.com/var/run/docker.sock')).toThrow(/DOCKER_SSH_SOCKET/);
  });
});

describe('Podman', () => {
  it('recognises podman paths and picks the rootless or rootful socket', () => {
    expect([isPodmanPath('podman'), isPodmanPath('/usr/bin/podman'), isPodmanPath('docker'), isPodmanPath('/opt/podman-remote')]).toEqual([true, true, false, false]);
    expect(podmanDefaultHost(1000, '/run/user/1000')).toBe('unix:///run/user/1000/podman/podman.sock');
    expect(podmanDefaultHost(0, '/run/user/0')).toBe('unix:///run/podman/podman.sock');
    expect(podmanDefaultHost(1000, undefined)).toBe('unix:///run/podman/podman.sock');
  });

  it('puts the engine on the podman command line; docker keeps DOCKER_HOST', () => {
    expect(attachPrefix('podman', 'unix:///run/podman/podman.sock')).toEqual(['podman', '--url', 'unix:///run/podman/podman.sock']);
    expect(attachPrefix('podman', 'ssh://core@build:2222', '/run/podman/podman.sock')).toEqual(['podman', '--url', 'ssh://core@build:2222/run/podman/podman.sock']);
    expect(attachPrefix('/usr/bin/docker', 'unix:///var/run/docker.sock')).toEqual(['/usr/bin/docker']);
  });

  it("reads Podman's named-volume Binds as the volume Mounts they were asked as", () => {
    expect(volumeBindsAsMounts({ Binds: ['workbay-x:/workspaces/x:rw,rprivate', '/srv:/srv:ro'] })).toEqual({
      Binds: ['/srv:/srv:ro'], Mounts: [{ Type: 'volume', Source: 'workbay-x', Target: '/workspaces/x' }],
    });
    const docker = { Binds: ['/srv:/srv'] };
    expect(volumeBindsAsMounts(docker)).toBe(docker);
  });
});
