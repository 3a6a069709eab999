import { generateKeyPairSync } from 'node:crypto';
import type { AttachOptions } from '../drivers';
import type { StartFrame } from './protocol';

/**
 * The remote user's login shell from /etc/passwd (by uid, so it works for users without a name),
 * else /bin/sh; fixed text, the workspace's own shell reads it.
 */
export const LOGIN_SHELL = `s=$(awk -F: -v u="$(id -u)" '$3==u{print $7; exit}' /etc/passwd 2>/dev/null)
[ -n "$s" ] && [ -x "$s" ] || s=/bin/sh
exec "$s" -l`;

/**
 * A per-session OpenSSH server on stdin/stdout (`sshd -i`): its own config, host key and
 * authorized key in a private directory that is removed when the session ends. The stream is
 * already authenticated and owner-checked; the key only proves the ssh client is the one the
 * ProxyCommand runs for.
 */
export const SSHD = `d="$1"; u="$2"
sshd=/usr/sbin/sshd
[ -x "$sshd" ] || { echo "workbay: this workspace's image has no OpenSSH server ($sshd); install openssh-server or add the sshd Feature" >&2; exit 127; }
umask 077
mkdir -p /run/sshd "$d" || exit 1
printf '%s\\n' "$WORKBAY_SSH_HOST_KEY" > "$d/host_key"
printf '%s\\n' "$WORKBAY_SSH_AUTHORIZED_KEY" > "$d/authorized_keys"
# sshd reads authorized_keys as the user who logs in; only the host key must stay root's.
chmod 755 "$d"; chmod 644 "$d/authorized_keys"
unset WORKBAY_SSH_HOST_KEY WORKBAY_SSH_AUTHORIZED_KEY
sftp=; for f in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server; do [ -x "$f" ] && sftp="Subsystem sftp $f" && break; done
cat > "$d/sshd_config" <<EOF
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
AllowUsers $u
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
PidFile none
LogLevel ERROR
AllowTcpForwarding yes
X11Forwarding no
PrintMotd no
$sftp
EOF
"$sshd" -i -e -f "$d/sshd_config"; rc=$?
rm -rf "$d"
exit $rc`;

/**
 * Joins stdin/stdout to a TCP port on the workspace's loopback with whatever the image has:
 * nc (busybox or BSD/OpenBSD), socat, or bash's /dev/tcp.
 */
export const FORWARD = `p="$1"
if command -v nc >/dev/null 2>&1; then exec nc 127.0.0.1 "$p"; fi
if command -v socat >/dev/null 2>&1; then exec socat - "TCP:127.0.0.1:$p"; fi
if command -v bash >/dev/null 2>&1; then exec bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1; cat <&3 & cat >&3; wait' bash "$p"; fi
echo "workbay: the workspace has no nc, socat or bash to forward a port with" >&2
exit 127`;

/** A login name sshd's AllowUsers takes as one word (remoteUser comes from devcontainer.json). */
const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

/** A new ECDSA P-256 host key in the PEM form sshd reads. */
export function sessionHostKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' }).toString();
}

/** What the driver runs for a start frame; `user` is the workspace's remoteUser, if any. */
export function attachPlan(start: StartFrame, user: string | undefined, sessionId: string): AttachOptions {
  switch (start.mode) {
    case 'shell':
      return {
        argv: start.command ?? ['/bin/sh', '-c', LOGIN_SHELL], tty: start.tty, postAttach: true,
        ...(start.cols ? { cols: start.cols } : {}), ...(start.rows ? { rows: start.rows } : {}),
      };
    case 'sshd':
      // sshd must start as root to authenticate and then drop to the remote user.
      return {
        argv: ['/bin/sh', '-c', SSHD, 'workbay-sshd', `/tmp/.workbay-sshd-${sessionId}`, user && USER_NAME.test(user) ? user : 'root'],
        tty: false, user: '0', postAttach: true,
        env: { WORKBAY_SSH_HOST_KEY: sessionHostKey(), WORKBAY_SSH_AUTHORIZED_KEY: start.publicKey },
      };
    case 'port':
      return { argv: ['/bin/sh', '-c', FORWARD, 'workbay-forward', String(start.port)], tty: false };
  }
}
