#!/usr/bin/env bash
# Installs what the telemetry and workbench tests need, from Debian:
#   prometheus, influxdb (1.x), postgresql, chromium (browser tests).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y prometheus influxdb postgresql chromium
