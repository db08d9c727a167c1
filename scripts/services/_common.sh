#!/usr/bin/env bash
# Shared settings of the telemetry test services (InfluxDB, PostgreSQL). Prometheus is started by
# its test itself, because it must scrape a port the test picks.
SERVICES_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVICES_HOME="${ROHAS_SERVICES_HOME:-$(cd "$SERVICES_SCRIPT_DIR/../.." && pwd)/.services}"
INFLUX_PORT="${ROHAS_INFLUX_PORT:-18086}"
INFLUX_RPC_PORT="${ROHAS_INFLUX_RPC_PORT:-18088}"
PG_PORT="${ROHAS_PG_PORT:-55432}"
PG_BIN="${ROHAS_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
die() { echo "error: $*" >&2; exit 1; }
