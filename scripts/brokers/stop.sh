#!/usr/bin/env bash
# Stops the test brokers started by start.sh (SIGTERM, then SIGKILL after a deadline). Data stays in
# <repo>/.brokers/ unless --wipe is given.
#   scripts/brokers/stop.sh [--wipe] [nats|rabbitmq|kafka|sqs|moto ...]     (default: all)
set -euo pipefail
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

STOP_TIMEOUT="${ROHAS_BROKERS_STOP_TIMEOUT:-30}"
wipe=0
if [ "${1:-}" = "--wipe" ]; then
  wipe=1
  shift
fi

# Waits for a pid to exit; true when it did before the deadline.
wait_exit() {
  local pid="$1" deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

stop_broker() {
  local name="$1" file pid
  file="$(pid_file "$name")"
  if ! is_running "$name"; then
    log "$name is not running"
    rm -f "$file"
    return 0
  fi
  pid="$(cat "$file")"
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_exit "$pid"; then
    log "$name did not stop within ${STOP_TIMEOUT}s: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    wait_exit "$pid" || die "could not stop $name (pid $pid)"
  fi
  rm -f "$file"
}

while read -r broker; do
  stop_broker "$broker"
  if [ "$wipe" -eq 1 ]; then
    log "wiping $BROKERS_HOME/$broker data"
    rm -rf "$BROKERS_HOME/$broker/data" "$BROKERS_HOME/$broker/mnesia"
  fi
done < <(select_brokers "$@")
