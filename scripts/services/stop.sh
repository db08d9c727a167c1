#!/usr/bin/env bash
# Stops the services scripts/services/start.sh started (data stays under <repo>/.services/).
set -euo pipefail
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

if [ -f "$SERVICES_HOME/influxdb/pid" ]; then
  kill "$(cat "$SERVICES_HOME/influxdb/pid")" 2>/dev/null || true
  rm -f "$SERVICES_HOME/influxdb/pid"
fi
if [ -f "$SERVICES_HOME/postgres/data/postmaster.pid" ]; then
  as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$SERVICES_HOME/postgres/data" -m fast stop >/dev/null || true
fi
