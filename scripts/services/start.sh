#!/usr/bin/env bash
# Starts InfluxDB and PostgreSQL on 127.0.0.1 under <repo>/.services/ and waits until both answer.
#   scripts/services/start.sh
# Then run the tests with the printed environment (defaults match, so exporting is optional):
#   ROHAS_TEST_INFLUX_URL=http://127.0.0.1:18086 ROHAS_TEST_PG_URL=postgres://postgres@127.0.0.1:55432/postgres
set -euo pipefail
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

start_influx() {
  local dir="$SERVICES_HOME/influxdb"
  command -v influxd >/dev/null || die "influxd is not installed: run scripts/services/install.sh"
  if curl -fsS "http://127.0.0.1:$INFLUX_PORT/ping" >/dev/null 2>&1; then return; fi
  mkdir -p "$dir/meta" "$dir/data" "$dir/wal"
  cat >"$dir/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:$INFLUX_RPC_PORT"
[meta]
  dir = "$dir/meta"
[data]
  dir = "$dir/data"
  wal-dir = "$dir/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:$INFLUX_PORT"
  log-enabled = false
CONF
  setsid influxd -config "$dir/influxdb.conf" </dev/null >"$dir/influxd.log" 2>&1 &
  echo $! >"$dir/pid"
}

start_postgres() {
  local dir="$SERVICES_HOME/postgres"
  [ -x "$PG_BIN/postgres" ] || die "postgresql is not installed: run scripts/services/install.sh"
  if "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" >/dev/null 2>&1; then return; fi
  mkdir -p "$dir"
  chown postgres "$dir" 2>/dev/null || true
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    "${as[@]}" "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust >"$dir/initdb.log" 2>&1
  fi
  "${as[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $dir -c fsync=off" start >/dev/null
}

wait_for() {
  local what="$1" check="$2" log="$3"
  for _ in $(seq 1 120); do
    if eval "$check" >/dev/null 2>&1; then echo "$what ready"; return; fi
    sleep 0.5
  done
  tail -20 "$log" >&2
  die "$what did not become ready"
}

start_influx
start_postgres
wait_for influxdb "curl -fsS http://127.0.0.1:$INFLUX_PORT/ping" "$SERVICES_HOME/influxdb/influxd.log"
wait_for postgres "$PG_BIN/pg_isready -h 127.0.0.1 -p $PG_PORT" "$SERVICES_HOME/postgres/postgres.log"
