#!/usr/bin/env bash
# Build the project's Dockerfile, unchanged, and smoke-test the image on a machine with no Docker daemon
# and no Docker Hub: podman (daemonless) from Debian's packages, and a stand-in for `python:3.11-slim`
# made with debootstrap (Debian bookworm + Debian's python3.11, pip and venv), imported under the name the
# Dockerfile's FROM asks for. Only Debian's mirror and PyPI need to be reachable.
#
#   sudo deploy/build-without-docker.sh           # base (first time only), build, smoke
#   WORK=/var/tmp/cunjing-image TAG=localhost/cunjing:test sudo -E deploy/build-without-docker.sh
#
# Idempotent: packages and the stand-in base are kept and reused (the base is made again only when it
# is missing: `podman image rm localhost/python:3.11-slim` to renew it); the image is built afresh each
# time (no layer cache, see below) and replaces the previous one. Run as root (debootstrap and rootful podman). Not run by CI;
# tests/deploy/test_docker.py builds with podman the same way when no Docker daemon answers.
# Proven on 2026-12-06 (README "Going live").
#
# What differs from a real `docker build`: the base is Debian's Python 3.11.2 in /usr/bin, with
# `python`/`pip` linked into /usr/local/bin and pip's EXTERNALLY-MANAGED marker removed (as in the
# official image, whose CPython 3.11.x is in /usr/local). The host's CA bundle is mounted (never copied)
# into the build's RUN steps, so pip works behind an intercepting proxy.
#
# Where a container cannot start (seen in a Firecracker sandbox: root may not raise an rlimit, so the
# runtime fails to set podman's default ulimits, and crun refuses the hybrid cgroup v1/v2 host), the
# script writes /etc/containers/containers.conf.d/50-cunjing-sandbox.conf: runc, and ulimits no higher
# than the host's. Remove that file to undo it.
set -euo pipefail

WORK=${WORK:-/tmp/imagebuild}
TAG=${TAG:-localhost/cunjing:latest}
BASE=${BASE:-localhost/python:3.11-slim}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
HERE=$(cd "$(dirname "$0")/.." && pwd)
CA=/etc/ssl/certs/ca-certificates.crt
DROPIN=/etc/containers/containers.conf.d/50-cunjing-sandbox.conf

say() { printf '== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, rootful podman)" >&2; exit 2; }

if ! command -v podman >/dev/null || ! command -v runc >/dev/null || ! command -v debootstrap >/dev/null; then
  say "installing podman, runc and debootstrap from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman crun runc debootstrap >/dev/null
fi

if ! podman image exists "$BASE"; then
  say "stand-in base $BASE: debootstrap bookworm from $MIRROR"
  mkdir -p "$WORK"
  R=$WORK/rootfs
  rm -rf "$R"
  debootstrap --variant=minbase --include=python3.11,python3-venv,python3-pip,ca-certificates \
    bookworm "$R" "$MIRROR" >"$WORK/debootstrap.log"
  # as in python:3.11-slim: `python` and `pip` on PATH, pip installs into the system Python,
  # apt's sources with updates and security, and no package lists left behind
  ln -sf /usr/bin/python3.11 "$R/usr/local/bin/python"
  ln -sf /usr/bin/python3.11 "$R/usr/local/bin/python3"
  ln -sf /usr/bin/pip3 "$R/usr/local/bin/pip"
  rm -f "$R"/usr/lib/python3.*/EXTERNALLY-MANAGED
  cat >"$R/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb ${MIRROR%/debian}/debian-security bookworm-security main
EOF
  rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/archives/*.deb
  tar -C "$R" --numeric-owner -cf "$WORK/rootfs.tar" .
  podman import --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' "$WORK/rootfs.tar" "$BASE" >/dev/null
  rm -rf "$R" "$WORK/rootfs.tar"
fi

if ! podman run --rm "$BASE" true 2>/dev/null; then
  say "containers do not start: runc and ulimits no higher than the host's in $DROPIN"
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi  # 96367 refused here
  mkdir -p "$(dirname "$DROPIN")"
  cat >"$DROPIN" <<EOF
# written by cunjing's deploy/build-without-docker.sh: this host refuses podman's default ulimits
# (root may not raise an rlimit) and crun's hybrid cgroups
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
EOF
  podman run --rm "$BASE" true
fi

# --layers=false: no layer cache, since buildah 1.28 (Debian's podman 4.3) reuses the cached
# `RUN --mount=type=bind,from=build` layer when the build stage has changed (a stale install); it also
# leaves no intermediate image behind. The image this replaces is removed once nothing names it.
old=$(podman image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
say "podman build $TAG from $HERE/Dockerfile"
podman build --layers=false --pull=never --network host --volume "$CA:$CA:ro" --tag "$TAG" "$HERE"
if [ -n "$old" ] && [ "$(podman image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null)" = 0 ]; then
  podman image rm "$old" >/dev/null 2>&1 || true
fi

say "smoke: the user, the version, the station's FAQ"
test "$(podman run --rm "$TAG" id -un)" = cunjing
podman run --rm "$TAG" cunjing --version
podman run --rm "$TAG" cunjing faq validate --quiet
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$TAG"
say "done; the bot answering /start from the fake Bot API: .venv/bin/pytest tests/deploy/test_docker.py"
