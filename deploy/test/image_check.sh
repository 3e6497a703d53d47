#!/usr/bin/env bash
# The container image: build deploy/docker/Dockerfile with buildah (no daemon
# needed) and check what the image holds and how it runs.
#   sudo deploy/test/image_check.sh [ROOTFS]
# Run from the checkout's top. Where Docker Hub cannot be reached, ROOTFS (a
# Debian 12 root made with `debootstrap --variant=minbase bookworm`) becomes
# the local `debian:12` and `debian:12-slim` the Dockerfile starts from; the
# packages still come from Debian's archive and the npm packages from the
# registry, as the lock file pins them. Needs root, buildah and network; it
# compiles everything once (about 10 minutes on 2 cores), so it is not part
# of ctest. Exits 0 only when every check passed.
#   HARTSLAG_BUILD_CA=<file>: behind a proxy that re-signs TLS, its CA for
#   npm during the build only (mounted into the RUN steps, not in the image).
set -euo pipefail

rootfs=${1:-}
tag=localhost/hartslag:check
b() { buildah --storage-driver vfs "$@"; }

if [ -n "$rootfs" ]; then
  base=$(b from scratch)
  m=$(b mount "$base")
  if [ ! -d "$m" ] || [ "$m" = / ]; then echo "FAIL: cannot mount the base container"; exit 1; fi
  cp -a "$rootfs/." "$m/"
  b umount "$base" >/dev/null
  b commit --rm "$base" localhost/debian-local:12 >/dev/null
  b tag localhost/debian-local:12 docker.io/library/debian:12 docker.io/library/debian:12-slim
fi

log=$(mktemp)
out=$(mktemp)
ca_mounts=()
if [ -n "${HARTSLAG_BUILD_CA:-}" ]; then
  npmrc=$(mktemp)
  echo "cafile=/run/hartslag-build-ca.crt" >"$npmrc"
  ca_mounts=(-v "$HARTSLAG_BUILD_CA:/run/hartslag-build-ca.crt:ro" -v "$npmrc:/root/.npmrc:ro")
fi
started=$(date +%s)
b bud "${ca_mounts[@]}" --isolation chroot --pull=false --layers=false --ignorefile deploy/docker/Dockerfile.dockerignore \
  -f deploy/docker/Dockerfile -t "$tag" . >"$log" 2>&1 ||
  { tail -40 "$log"; echo "FAIL: the image did not build"; exit 1; }
echo "built $tag in $(( $(date +%s) - started )) s"

failures=0
check() {  # description command...
  local what=$1; shift
  if "$@" >"$out" 2>&1; then echo "ok   $what"; else
    echo "FAIL $what"; sed 's/^/     /' "$out" | tail -10; failures=$((failures + 1)); fi
}
c=$(b from --pull=false "$tag")
trap 'b rm "$c" >/dev/null 2>&1 || true; rm -f "$log" "$out"' EXIT
run() { b run --isolation chroot "$c" -- "$@"; }  # as the image's USER

check "runs as uid 10001, not root" sh -c "[ \"\$(buildah --storage-driver vfs run --isolation chroot $c -- id -u)\" = 10001 ]"
check "every program and the CLI are there" run sh -c 'for p in hartslag hartslag-directory hartslag-intake hartslag-cases hartslag-audit hartslag-web; do command -v $p || exit 1; done'
check "every shared library resolves" run sh -c 'out=$(ldd /usr/bin/hartslag*) || exit 1; echo "$out"; ! echo "$out" | grep -q "not found"'
check "each service answers --help" run sh -c 'for p in hartslag-directory hartslag-intake hartslag-cases hartslag-audit hartslag-web; do $p --help >/dev/null || exit 1; done'
check "the default command is the CLI's help, and it runs" sh -c "
  [ \"\$(buildah --storage-driver vfs inspect --type image --format '{{.OCIv1.Config.Cmd}}' $tag)\" = '[hartslag --help]' ] &&
  buildah --storage-driver vfs run --isolation chroot $c -- hartslag --help"
check "the time-zone database holds Europe/Amsterdam" run test -f /usr/share/zoneinfo/Europe/Amsterdam
check "TZ is Europe/Amsterdam" run sh -c '[ "$TZ" = Europe/Amsterdam ]'
check "the front end is there" run test -f /usr/share/hartslag/web/index.html
check "no compiler or build tree in the image" run sh -c '! command -v c++ && [ ! -d /src ] && [ ! -d /build ]'
mnt=$(b mount "$c")
check "the programs are stripped (read from the host: the image has no file(1))" \
  sh -c "file -L $mnt/usr/bin/hartslag $mnt/usr/bin/hartslag-* | tee /dev/stderr | grep -c ', stripped' | grep -qx 6"
b umount "$c" >/dev/null
check "migrate without a reachable database exits non-zero, saying why" sh -c "
  if out=\$(buildah --storage-driver vfs run --isolation chroot $c -- hartslag-directory migrate \
      --db='host=/nonexistent dbname=hartslag connect_timeout=2' 2>&1); then exit 1; fi
  echo \"\$out\"; echo \"\$out\" | grep -qi 'database\\|connect' && ! echo \"\$out\" | grep -qi 'segmentation\\|abort'"
echo "image size: $(b images --format '{{.Size}}' "$tag")"

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
