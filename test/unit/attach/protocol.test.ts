import { describe, expect, it } from 'vitest';
import { attachPlan, ClientControl, offeredProtocols, StartFrame } from '../../../lib/attach';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHc0bWlnaHQtYmUtYS1rZXk workbay';

describe('attach start frames', () => {
  it('accept a shell, an sshd session with a plain public key, and a port', () => {
    expect(StartFrame.parse({ type: 'start', mode: 'shell' })).toEqual({ type: 'start', mode: 'shell', tty: false });
    expect(StartFrame.safeParse({ type: 'start', mode: 'sshd', publicKey: KEY }).success).toBe(true);
    expect(StartFrame.safeParse({ type: 'start', mode: 'port', port: 8080 }).success).toBe(true);
  });

  it('refuse a string command, unknown fields, bad ports and keys that carry authorized_keys options or lines', () => {
    for (const bad of [
      { type: 'start', mode: 'shell', command: 'rm -rf /' },
      { type: 'start', mode: 'shell', user: 'root' },
      { type: 'start', mode: 'port', port: 0 },
      { type: 'start', mode: 'port', port: 65_536 },
      { type: 'start', mode: 'sshd', publicKey: `command="id" ${KEY}` },
      { type: 'start', mode: 'sshd', publicKey: `${KEY}\nssh-ed25519 AAAA other` },
      { type: 'start', mode: 'exec' },
    ]) expect(StartFrame.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(ClientControl.safeParse({ type: 'resize', cols: 0, rows: 10 }).success).toBe(false);
  });

  it('plans argv without building a shell line from user values', () => {
    const shell = attachPlan({ type: 'start', mode: 'shell', tty: false, command: ['echo', '$(id)'] }, undefined, 's1');
    expect(shell.argv).toEqual(['echo', '$(id)']);
    expect(attachPlan({ type: 'start', mode: 'port', port: 8080 }, undefined, 's1').argv.slice(-1)).toEqual(['8080']);
    const sshd = attachPlan({ type: 'start', mode: 'sshd', publicKey: KEY }, 'dev\nPermitRootLogin yes', 's1');
    expect(sshd.argv.slice(-2)).toEqual(['/tmp/.workbay-sshd-s1', 'root']);
    expect(sshd.env?.WORKBAY_SSH_HOST_KEY).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    expect(attachPlan({ type: 'start', mode: 'sshd', publicKey: KEY }, 'vscode', 's2').argv.slice(-1)).toEqual(['vscode']);
  });

  it('reads offered subprotocols', () => {
    expect(offeredProtocols('workbay.attach.v1, bearer.wbt_x')).toEqual(['workbay.attach.v1', 'bearer.wbt_x']);
    expect(offeredProtocols(undefined)).toEqual([]);
  });
});
