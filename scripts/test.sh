#!/usr/bin/env bash
# The test suite, as the README's test command runs it (`deno task test`): installs what the tests
# need (scripts/setup.sh), starts the brokers and services on 127.0.0.1, then runs every test and
# every documentation example.
# Brokers and services keep running afterwards so a second run starts at once; stop them with
# scripts/brokers/stop.sh and scripts/services/stop.sh.
#   scripts/test.sh [deno test arguments...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh
bash scripts/brokers/start.sh
bash scripts/services/start.sh
# shellcheck source=brokers/env.sh
source scripts/brokers/env.sh
# --doc: the examples in JSDoc and Markdown run as tests too (docs/design.md#explicit-public-surface).
exec deno test -A --parallel --doc "$@"
