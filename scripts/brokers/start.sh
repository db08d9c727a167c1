#!/usr/bin/env bash
# Starts the test brokers on 127.0.0.1 in the background and waits until each one answers its own
# client (scripts/brokers/probe.ts), or fails with the broker's log tail.
#   scripts/brokers/start.sh [nats|rabbitmq|kafka|sqs|moto ...]     (default: all)
# Data, logs and pid files: <repo>/.brokers/<name>/. Already running brokers are left alone.
set -euo pipefail
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"
# shellcheck source=env.sh
source "$BROKERS_SCRIPT_DIR/env.sh"

READY_TIMEOUT="${ROHAS_BROKERS_TIMEOUT:-90}"

start_nats() {
  local dir="$BROKERS_HOME/nats"
  command -v nats-server >/dev/null || die "nats-server is not installed: run scripts/brokers/install.sh nats"
  mkdir -p "$dir/data"
  # --sync_interval is not set: JetStream's default (2 min fsync) is the documented caveat.
  setsid nats-server -a 127.0.0.1 -p "$NATS_PORT" -m "$NATS_MONITOR_PORT" -js -sd "$dir/data" \
    -P "$(pid_file nats)" -l "$dir/nats.log" </dev/null >"$dir/stdout.log" 2>&1 &
  echo $! >"$(pid_file nats)"
}

start_rabbitmq() {
  local dir="$BROKERS_HOME/rabbitmq"
  [ -x "$RABBITMQ_BIN/rabbitmq-server" ] ||
    die "rabbitmq-server is not installed: run scripts/brokers/install.sh rabbitmq"
  mkdir -p "$dir/mnesia" "$dir/log"
  : >"$dir/enabled_plugins"
  printf '[].\n' >"$dir/enabled_plugins"
  rabbitmq_env
  "$RABBITMQ_BIN/rabbitmq-server" -detached >"$dir/stdout.log" 2>&1
  # -detached returns before the pid file exists; the probe below waits for it.
}

# The environment that places our RabbitMQ node under .brokers/ on its own ports.
rabbitmq_env() {
  local dir="$BROKERS_HOME/rabbitmq"
  export RABBITMQ_NODENAME="$RABBITMQ_NODE"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$AMQP_PORT"
  export RABBITMQ_DIST_PORT="$AMQP_DIST_PORT"
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_PID_FILE="$(pid_file rabbitmq)"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq"
  export ERL_EPMD_ADDRESS=127.0.0.1
  # A node that dies writes its crash dump here, not into whatever folder started it.
  export ERL_CRASH_DUMP="$dir/log/erl_crash.dump"
  # Fails fast when the disk is nearly full instead of blocking publishers forever.
  printf 'disk_free_limit.absolute = 50MB\nloopback_users = none\n' >"$dir/rabbitmq.conf"
}

start_kafka() {
  local dir="$BROKERS_HOME/kafka"
  [ -f "$dir/libs/.complete" ] || die "Kafka is not installed: run scripts/brokers/install.sh kafka"
  mkdir -p "$dir/data"
  write_kafka_config "$dir"
  local classpath="$dir/libs/*"
  if [ ! -f "$dir/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java -cp "$classpath" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java -cp "$classpath" -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -Dkafka.logs.dir="$dir" kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$dir/server.properties" \
      >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "kafka storage format failed"; }
  fi
  setsid java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$dir/log4j2.properties" -Dkafka.logs.dir="$dir" \
    -cp "$classpath" kafka.Kafka "$dir/server.properties" </dev/null >"$dir/stdout.log" 2>&1 &
  echo $! >"$(pid_file kafka)"
}

write_kafka_config() {
  local dir="$1"
  cat >"$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=1000
group.classic.min.session.timeout.ms=1000
PROPS
  cat >"$dir/log4j2.properties" <<'PROPS'
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = ${sys:kafka.logs.dir}/kafka.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
PROPS
}

start_sqs() {
  local dir="$BROKERS_HOME/sqs"
  mkdir -p "$dir"
  # fauxqs binds 0.0.0.0 whatever we ask; everything here addresses it at 127.0.0.1 only.
  # In memory: fauxqs 2.4.1's SQLite persistence (FAUXQS_DATA_DIR) rejects ChangeMessageVisibility
  # with MessageNotInflight, which the adapter's retries need.
  (cd "$dir" && FAUXQS_PORT="$SQS_PORT" exec setsid "$DENO_BIN" run -A \
    --no-config --no-lock "$BROKERS_SCRIPT_DIR/fauxqs.ts") </dev/null >"$dir/fauxqs.log" 2>&1 &
  echo $! >"$(pid_file sqs)"
}

start_moto() {
  local dir="$BROKERS_HOME/moto"
  [ -x "$dir/venv/bin/moto_server" ] || die "moto is not installed: run scripts/brokers/install.sh moto"
  setsid "$dir/venv/bin/moto_server" -H 127.0.0.1 -p "$MOTO_PORT" </dev/null >"$dir/moto.log" 2>&1 &
  echo $! >"$(pid_file moto)"
}

broker_url() {
  case "$1" in
    nats) printf '%s' "$ROHAS_TEST_NATS_URL" ;;
    rabbitmq) printf '%s' "$ROHAS_TEST_AMQP_URL" ;;
    kafka) printf '%s' "$ROHAS_TEST_KAFKA_BROKERS" ;;
    sqs) printf '%s' "$ROHAS_TEST_SQS_ENDPOINT" ;;
    moto) printf '%s' "$ROHAS_TEST_AWS_ENDPOINT" ;;
  esac
}

broker_log() {
  case "$1" in
    nats) printf '%s' "$BROKERS_HOME/nats/nats.log" ;;
    rabbitmq) printf '%s' "$BROKERS_HOME/rabbitmq/log/$RABBITMQ_NODE.log" ;;
    kafka) printf '%s' "$BROKERS_HOME/kafka/kafka.log" ;;
    sqs) printf '%s' "$BROKERS_HOME/sqs/fauxqs.log" ;;
    moto) printf '%s' "$BROKERS_HOME/moto/moto.log" ;;
  esac
}

wait_ready() {
  local name="$1"
  if (cd "$REPO_ROOT" && "$DENO_BIN" run -A --quiet "$BROKERS_SCRIPT_DIR/probe.ts" "$name" \
    "$(broker_url "$name")" "$READY_TIMEOUT"); then
    # A probe answered by a stranger on our port is not our broker.
    is_running "$name" || die "$name exited after start (is port $(broker_url "$name") taken?)"
    log "$name ready at $(broker_url "$name")"
    return 0
  fi
  local logfile
  logfile="$(broker_log "$name")"
  [ -f "$logfile" ] && tail -n 30 "$logfile" >&2
  die "$name did not become ready within ${READY_TIMEOUT}s (log: $logfile)"
}

mkdir -p "$BROKERS_HOME"
mapfile -t brokers < <(select_brokers "$@")
for broker in "${brokers[@]}"; do
  if is_running "$broker"; then
    log "$broker already running (pid $(cat "$(pid_file "$broker")"))"
  else
    log "starting $broker"
    mkdir -p "$BROKERS_HOME/$broker"
    "start_$broker"
  fi
done
for broker in "${brokers[@]}"; do
  wait_ready "$broker"
done
