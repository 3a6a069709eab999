#!/usr/bin/env bash
# Builds workbay-test/sshd:local on the test Docker engine (no registry is reachable): the busybox test
# image plus the host's Debian OpenSSH server (/usr/sbin/sshd, its shared libraries and sftp-server) and
# the `sshd` privilege-separation user. Needs Debian's openssh-server (test/support/provision.ts).
set -euo pipefail
: "${DOCKER_HOST:?set DOCKER_HOST to the test engine}"
image=workbay-test/sshd:local
docker image inspect "$image" >/dev/null 2>&1 && exit 0
[ -x /usr/sbin/sshd ] || { echo "build-sshd-image: /usr/sbin/sshd is missing (apt-get install openssh-server)" >&2; exit 1; }
work=$(mktemp -d)
c=
trap 'rm -rf "$work"; [ -n "$c" ] && docker rm -f "$c" >/dev/null 2>&1 || true' EXIT
root="$work/root"
mkdir -p "$root/usr/sbin" "$root/usr/lib/openssh" "$root/etc/ssh" "$root/root"
cp /usr/sbin/sshd "$root/usr/sbin/sshd"
cp /usr/lib/openssh/sftp-server "$root/usr/lib/openssh/sftp-server"
for bin in /usr/sbin/sshd /usr/lib/openssh/sftp-server; do
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
done
cp /etc/ssh/moduli "$root/etc/ssh/moduli"
printf 'root:x:0:0:root:/root:/bin/sh\nvscode:x:1000:1000::/home/vscode:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nvscode:x:1000:\nnogroup:x:65534:\n' > "$root/etc/group"
chmod 700 "$root/root"
c=$(docker container create workbay-test/busybox:local)
tar -C "$root" -c . | docker cp - "$c:/"
docker commit "$c" "$image" >/dev/null
