# Sourced by .ci/run: system packages the tests need. The test Docker engine itself is started by the
# tests' global setup (test/support/dockerd.ts), so `npm test` works the same locally and in CI.
echo "== system packages"
export DEBIAN_FRONTEND=noninteractive
need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v git >/dev/null || need+=(git)
command -v openssl >/dev/null || need+=(openssl)
command -v kubectl >/dev/null || need+=(kubernetes-client)
command -v docker-registry >/dev/null || need+=(docker-registry)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || echo "apt-get install ${need[*]} failed"
fi
