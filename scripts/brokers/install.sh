#!/usr/bin/env bash
# Installs the test brokers (idempotent): NATS and RabbitMQ from Debian, Apache Kafka's jars from Maven
# Central (run with the machine's Java), fauxqs (an SQS-compatible server) from npm, moto (an AWS
# emulator with EventBridge and SQS, for the aws/eventbridge adapter) from PyPI into a venv.
#   scripts/brokers/install.sh [nats|rabbitmq|kafka|sqs|moto ...]     (default: all)
set -euo pipefail
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return 0
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

install_nats() { apt_install nats-server; }

install_rabbitmq() {
  apt_install rabbitmq-server
  # The Debian package may start a system node on the default ports; ours runs separately.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
    as_root systemctl stop rabbitmq-server || true
  fi
}

install_kafka() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jre-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
  local libs="$BROKERS_HOME/kafka/libs"
  if [ -f "$libs/.complete" ]; then return 0; fi
  log "resolving Apache Kafka from Maven Central into $libs"
  rm -rf "$libs"
  mkdir -p "$libs"
  (cd "$BROKERS_SCRIPT_DIR/kafka" &&
    mvn -q -B -Dstyle.color=never dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs")
  touch "$libs/.complete"
}

install_sqs() {
  [ -x "$DENO_BIN" ] || die "deno not found: install it first (npx deno@2.9.6 ...)"
  log "caching npm:fauxqs@$FAUXQS_VERSION"
  mkdir -p "$BROKERS_HOME/sqs"
  (cd "$BROKERS_HOME/sqs" && "$DENO_BIN" cache --quiet --no-config --no-lock "$BROKERS_SCRIPT_DIR/fauxqs.ts")
}

install_moto() {
  local venv="$BROKERS_HOME/moto/venv"
  if [ -x "$venv/bin/moto_server" ]; then return 0; fi
  command -v python3 >/dev/null 2>&1 || apt_install python3 python3-venv
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
  log "pip install moto[server]==$MOTO_VERSION"
  "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION"
}

mkdir -p "$BROKERS_HOME"
while read -r broker; do
  "install_$broker"
done < <(select_brokers "$@")
log "installed: $(select_brokers "$@" | tr '\n' ' ')"
