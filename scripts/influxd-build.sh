#!/usr/bin/env bash
# influxd-build.sh — build bin/influxd-fluxpd: InfluxDB v1.8.10's influxd with
# fluxpd's native Flux package "pagerduty" in place of upstream Flux's.
#
# Run from anywhere (it cds to the repository root):
#     scripts/influxd-build.sh            # writes bin/influxd-fluxpd
#     OUT=/tmp/influxd scripts/influxd-build.sh
#
# influxd links the whole upstream Flux stdlib, whose stdlib/packages.go
# imports upstream pagerduty; registering fluxpd's package at the same path
# as well would panic at start ("duplicate builtin package"). So this script,
# with build_influxd of scripts/lib/influxd-build.sh (shared with the
# InfluxDB 2 build):
#   1. makes integrations/influxd/.build/flux (git-ignored) with
#      scripts/flux-derive.sh: flux v0.65.1 from the module cache plus
#      exactly scripts/flux-v0.65.1-fluxpd.patch — no upstream pagerduty
#      import, lang.PrepareContext (which main.go sets so every query
#      carries its script's pagerduty options and the server's defaults),
#      and the optimised pivot's watermark fix — checked with diff -r;
#   2. builds the nested module integrations/influxd (whose go.mod replaces
#      github.com/influxdata/flux with ./.build/flux and github.com/fluxpd/fluxpd
#      with the repository root) with CGO_ENABLED=0;
#   3. smoke-tests the binary ("version" runs every package's init, so a
#      duplicate registration would panic here).
# Nothing of Flux's or InfluxDB's source is committed to this repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/influxd-build.sh

INFLUXDB_VERSION=1.8.10
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
build_influxd influxd-build integrations/influxd "${OUT:-bin/influxd-fluxpd}" "influxdb $INFLUXDB_VERSION" \
  "-X main.version=$INFLUXDB_VERSION -X main.branch=fluxpd -X main.commit=$commit"
