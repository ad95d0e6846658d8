#!/usr/bin/env bash
# influxd2-build.sh — build bin/influxd2-fluxpd: InfluxDB v2.0.0-beta.8's
# influxd (API only, no UI assets) with fluxpd's native Flux package
# "pagerduty" in place of upstream Flux's.
#
# Run from anywhere (it cds to the repository root):
#     scripts/influxd2-build.sh            # writes bin/influxd2-fluxpd
#     OUT=/tmp/influxd2 scripts/influxd2-build.sh
#
# With build_influxd of scripts/lib/influxd-build.sh (shared with the
# InfluxDB 1.8 build):
#   1. scripts/flux-derive.sh makes integrations/influxd2/.build/flux
#      (git-ignored): flux v0.65.1 from the module cache plus exactly
#      scripts/flux-v0.65.1-fluxpd.patch (no upstream pagerduty import;
#      lang.PrepareContext), checked with diff;
#   2. builds the nested module integrations/influxd2 (whose go.mod requires
#      github.com/influxdata/influxdb/v2 v2.0.0-beta.8, replaces
#      github.com/influxdata/flux with ./.build/flux and github.com/fluxpd/fluxpd
#      with the repository root) with CGO_ENABLED=0;
#   3. smoke-tests the binary ("version" runs every package's init, so a
#      duplicate registration of "pagerduty" would panic here).
# Nothing of Flux's or InfluxDB's source is committed to this repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/influxd-build.sh

INFLUXDB_VERSION=2.0.0-beta.8
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build_influxd influxd2-build integrations/influxd2 "${OUT:-bin/influxd2-fluxpd}" "influxdb $INFLUXDB_VERSION, API only" \
  "-X main.version=$INFLUXDB_VERSION+fluxpd -X main.commit=fluxpd-$commit -X main.date=$date"
