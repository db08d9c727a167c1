# Shared settings of the broker scripts (sourced, never run). Every broker listens on 127.0.0.1 on a
# non-default port; data, logs and pid files live under <repo>/.brokers/ (gitignored).
# shellcheck shell=bash

BROKERS_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$BROKERS_SCRIPT_DIR/../.." && pwd)"
BROKERS_HOME="${ROHAS_BROKERS_HOME:-$REPO_ROOT/.brokers}"

NATS_PORT="${ROHAS_NATS_PORT:-14222}"
NATS_MONITOR_PORT="${ROHAS_NATS_MONITOR_PORT:-18222}"
AMQP_PORT="${ROHAS_AMQP_PORT:-5673}"
AMQP_DIST_PORT="${ROHAS_AMQP_DIST_PORT:-25673}"
KAFKA_PORT="${ROHAS_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${ROHAS_KAFKA_CONTROLLER_PORT:-19093}"
SQS_PORT="${ROHAS_SQS_PORT:-19324}"
MOTO_PORT="${ROHAS_MOTO_PORT:-19400}"
MOTO_VERSION="5.2.5"
FAUXQS_VERSION="2.4.1"
RABBITMQ_NODE="${ROHAS_RABBITMQ_NODE:-rohas@localhost}"
RABBITMQ_BIN="/usr/lib/rabbitmq/bin"

ALL_BROKERS=(nats rabbitmq kafka sqs moto)

DENO_BIN="${DENO_BIN:-$(command -v deno || echo /usr/local/bin/deno)}"

log() { printf '[brokers] %s\n' "$*" >&2; }
die() { printf '[brokers] error: %s\n' "$*" >&2; exit 1; }

# Picks the brokers named on the command line, or all of them; rejects unknown names.
select_brokers() {
  if [ "$#" -eq 0 ]; then
    printf '%s\n' "${ALL_BROKERS[@]}"
    return
  fi
  local name
  for name in "$@"; do
    case "$name" in
      nats | rabbitmq | kafka | sqs | moto) printf '%s\n' "$name" ;;
      rocksdb | denokv) ;; # embedded: nothing to install or start
      *) die "unknown broker \"$name\": expected one of ${ALL_BROKERS[*]}" ;;
    esac
  done
}

pid_file() { printf '%s/%s/%s.pid' "$BROKERS_HOME" "$1" "$1"; }

# True when the broker's pid file names a live process.
is_running() {
  local file
  file="$(pid_file "$1")"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null
}
