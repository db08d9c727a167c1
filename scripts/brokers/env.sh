#!/usr/bin/env bash
# Prints (or, when sourced, exports) the URLs the adapter tests read:
#   source scripts/brokers/env.sh      or      eval "$(scripts/brokers/env.sh)"
# shellcheck source=_common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_common.sh"

ROHAS_TEST_NATS_URL="nats://127.0.0.1:$NATS_PORT"
ROHAS_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$AMQP_PORT"
ROHAS_TEST_KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
ROHAS_TEST_SQS_ENDPOINT="http://127.0.0.1:$SQS_PORT"
ROHAS_TEST_AWS_ENDPOINT="http://127.0.0.1:$MOTO_PORT"
export ROHAS_TEST_NATS_URL ROHAS_TEST_AMQP_URL ROHAS_TEST_KAFKA_BROKERS ROHAS_TEST_SQS_ENDPOINT
export ROHAS_TEST_AWS_ENDPOINT
# The scripts that started these brokers: tests restart a broker with them, so a second checkout
# that sources this file restarts these brokers, not ones of its own that do not run.
ROHAS_TEST_BROKER_SCRIPTS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ROHAS_TEST_BROKER_SCRIPTS

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  printf 'export ROHAS_TEST_NATS_URL=%q\n' "$ROHAS_TEST_NATS_URL"
  printf 'export ROHAS_TEST_AMQP_URL=%q\n' "$ROHAS_TEST_AMQP_URL"
  printf 'export ROHAS_TEST_KAFKA_BROKERS=%q\n' "$ROHAS_TEST_KAFKA_BROKERS"
  printf 'export ROHAS_TEST_SQS_ENDPOINT=%q\n' "$ROHAS_TEST_SQS_ENDPOINT"
  printf 'export ROHAS_TEST_AWS_ENDPOINT=%q\n' "$ROHAS_TEST_AWS_ENDPOINT"
  printf 'export ROHAS_TEST_BROKER_SCRIPTS=%q\n' "$ROHAS_TEST_BROKER_SCRIPTS"
fi
