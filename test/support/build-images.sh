#!/usr/bin/env bash
# Builds the local test images on the test Docker engine (no registry is reachable):
#   workbay-test/busybox:local  a static busybox with the usual applets
#   workbay-test/git:local      the host's git binary and its libraries (clones over git:// and file://)
set -euo pipefail
: "${DOCKER_HOST:?set DOCKER_HOST to the test engine}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! docker image inspect workbay-test/busybox:local >/dev/null 2>&1; then
  mkdir -p "$work/bb/bin" "$work/bb/tmp" "$work/bb/etc" "$work/bb/root"
  cp /bin/busybox "$work/bb/bin/busybox"
  for a in $("$work/bb/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$work/bb/bin/$a"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nvscode:x:1000:1000::/home/vscode:/bin/sh\n' > "$work/bb/etc/passwd"
  printf 'root:x:0:\nvscode:x:1000:\n' > "$work/bb/etc/group"
  mkdir -p "$work/bb/home/vscode" && chown 1000:1000 "$work/bb/home/vscode"
  chmod 1777 "$work/bb/tmp"
  tar -C "$work/bb" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' - workbay-test/busybox:local >/dev/null
fi

if ! docker image inspect workbay-test/git:local >/dev/null 2>&1; then
  root="$work/git"
  mkdir -p "$root/bin" "$root/tmp" "$root/usr/lib/git-core" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for a in sh ls cat mkdir rm cp mv chown chmod find test; do ln -sf busybox "$root/bin/$a"; done
  cp /usr/bin/git "$root/bin/git"
  cp /usr/lib/git-core/git "$root/usr/lib/git-core/git"
  for lib in $(ldd /usr/bin/git | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'ENV GIT_EXEC_PATH=/usr/lib/git-core' - workbay-test/git:local >/dev/null
fi
# Images whose devcontainer.metadata label asks for more than a default policy allows (policy tests).
label_image() {
  docker image inspect "$1" >/dev/null 2>&1 && return
  local c
  c=$(docker container create workbay-test/busybox:local)
  docker commit -c "LABEL devcontainer.metadata=$2" "$c" "$1" >/dev/null
  docker rm "$c" >/dev/null
}
label_image workbay-test/label-privileged:local '"[{\"id\":\"base\"},{\"id\":\"feature\",\"privileged\":true}]"'
label_image workbay-test/label-hostbind:local '"[{\"mounts\":[\"source=/,target=/host,type=bind\"]}]"'
# An image whose label sets a non-root remoteUser, env and a hook (metadata merge tests).
label_image workbay-test/label-remoteuser:local '"[{\"id\":\"base\",\"remoteUser\":\"vscode\",\"containerEnv\":{\"FROM_LABEL\":\"yes\"},\"postCreateCommand\":\"id -un > /tmp/label-hook-user\"}]"'

docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep workbay-test
