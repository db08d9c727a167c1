#!/usr/bin/env bash
# Installs everything the test suite needs, idempotently, on a Debian machine like CI's:
# Python packages from PyPI, the brokers (scripts/brokers/install.sh) and the telemetry services
# and Chromium (scripts/services/install.sh). Safe to run again: installed parts are skipped.
#   scripts/setup.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

python_packages() {
  local python="${ROHAS_PYTHON:-python3}"
  command -v "$python" >/dev/null || { log "python3 not found"; exit 1; }
  # httpx and websockets: the generated Python client (rohas codegen --client python).
  if ! "$python" -c 'import pydantic, mypy, httpx, websockets' >/dev/null 2>&1; then
    log "pip install pydantic mypy httpx websockets"
    local pip=("$python" -m pip install --quiet --disable-pip-version-check 'pydantic>=2' mypy
      httpx 'websockets>=13')
    if ! "${pip[@]}" 2>/tmp/rohas-pip.log; then
      # A Debian system Python refuses installs outside a venv (PEP 668); this machine runs tests.
      if grep -q externally-managed /tmp/rohas-pip.log; then
        log "system Python is externally managed: installing with --break-system-packages"
        "${pip[@]}" --break-system-packages
      else
        cat /tmp/rohas-pip.log >&2
        exit 1
      fi
    fi
  fi
}

services() {
  local missing=0 tool
  for tool in prometheus influxd chromium haproxy; do command -v "$tool" >/dev/null || missing=1; done
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing=1
  if [ "$missing" -eq 1 ]; then bash scripts/services/install.sh; fi
}

python_packages
bash scripts/brokers/install.sh
services
log "done"
