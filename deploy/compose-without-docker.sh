#!/usr/bin/env bash
# `docker compose up` of the project's compose.yaml, unchanged, on a machine with no Docker daemon and no
# Docker Hub: podman-compose (from PyPI, in its own venv) over rootful podman, with the images
#   localhost/cunjing:latest   the project's Dockerfile, built by deploy/build-without-docker.sh
#   localhost/postgres:16      a STAND-IN for Docker Hub's postgres:16, for testing only
#                              (deploy/stand-ins/postgres/: Debian bookworm's PostgreSQL 15)
# then proves it with tests/deploy/test_compose.py: PostgreSQL healthy, the bot migrating its database and
# answering /start from the fake Bot API, `down` removing the containers, the data surviving in the
# volume until `down -v`.
#
#   sudo deploy/compose-without-docker.sh         # images and podman-compose (first time only), then the test
#   REBUILD=1 sudo -E deploy/compose-without-docker.sh   # the stand-in postgres made afresh
#
# Idempotent: podman-compose, the project image and the stand-in are kept and reused once made. Run as
# root, from a checkout with its .venv (the test runs the fake Bot API). Not run by CI. Proven on
# 2026-12-06 (README "Going live").
#
# What differs from Docker Compose: podman 4.3 (Debian bookworm) runs health checks only from systemd
# timers, and podman-compose ignores `condition: service_healthy` below podman 4.6 (it warns), so the
# test starts `db` first and runs its health check (`podman healthcheck run`) until it passes, then the
# rest. The fake Bot API listens on the host's 127.0.0.1; the test relays it to the containers, which
# reach it at host.containers.internal (its address in .env as CUNJING_TELEGRAM__BASE_URL).
set -euo pipefail

HERE=$(cd "$(dirname "$0")/.." && pwd)
COMPOSE_VENV=${COMPOSE_VENV:-/tmp/composevenv}
POSTGRES=localhost/postgres:16
CA=/etc/ssl/certs/ca-certificates.crt

say() { printf '== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)" >&2; }

[ "$(id -u)" = 0 ] || { echo "run as root (rootful podman, as deploy/build-without-docker.sh)" >&2; exit 2; }
[ -x "$HERE/.venv/bin/pytest" ] || { echo "no $HERE/.venv: the test needs the checkout's venv" >&2; exit 2; }

if ! command -v podman >/dev/null || ! podman image exists localhost/cunjing:latest; then
  say "no podman or no localhost/cunjing:latest: deploy/build-without-docker.sh"
  "$HERE/deploy/build-without-docker.sh"
fi

if [ ! -x "$COMPOSE_VENV/bin/podman-compose" ]; then
  say "podman-compose from PyPI into $COMPOSE_VENV"
  python3 -m venv "$COMPOSE_VENV"
  "$COMPOSE_VENV/bin/pip" install --quiet podman-compose
fi
"$COMPOSE_VENV/bin/podman-compose" version | head -1

if [ -n "${REBUILD:-}" ] || ! podman image exists "$POSTGRES"; then
  say "stand-in $POSTGRES from deploy/stand-ins/postgres"
  trust=()
  [ -f "$CA" ] && trust=(--volume "$CA:$CA:ro")
  old=$(podman image inspect --format '{{.Id}}' "$POSTGRES" 2>/dev/null || true)
  podman build --pull=never --network host "${trust[@]}" --tag "$POSTGRES" "$HERE/deploy/stand-ins/postgres"
  if [ -n "$old" ] && [ "$(podman image inspect --format '{{len .RepoTags}}' "$old" 2>/dev/null)" = 0 ]; then
    podman image rm "$old" >/dev/null 2>&1 || true
  fi
fi

say "compose up, /start, down, up, down -v: tests/deploy/test_compose.py"
cd "$HERE"
PATH="$COMPOSE_VENV/bin:$PATH" .venv/bin/pytest -q -p no:cacheprovider tests/deploy/test_compose.py
say "done"
