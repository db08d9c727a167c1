#!/usr/bin/env bash
# Installs what the telemetry, workbench and cluster tests need, from Debian:
#   prometheus, influxdb (1.x), postgresql, chromium (browser tests), haproxy (the load balancer of
#   the rolling restart test, which runs its own on loopback ports it picks).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y prometheus influxdb postgresql chromium haproxy
