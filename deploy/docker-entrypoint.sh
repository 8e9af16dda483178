#!/bin/sh
# The container's first start on an empty volume: the station's own config.yaml and faq/
# (`cunjing init`), which later images never overwrite. Then the command (default: cunjing run).
set -e
if [ -n "${CUNJING_CONFIG:-}" ] && [ ! -e "$CUNJING_CONFIG" ]; then
  cunjing init "$(dirname "$CUNJING_CONFIG")" >&2
fi
exec "$@"
