#!/usr/bin/env bash
# influxd2-build.sh — build bin/influxd2-fluxpd: InfluxDB v2.0.0-beta.8's
# influxd (API only, no UI assets) with fluxpd's native Flux package
# "pagerduty" in place of upstream Flux's.
#
# Run from anywhere (it cds to the repository root):
#     scripts/influxd2-build.sh            # writes bin/influxd2-fluxpd
#     OUT=/tmp/influxd2 scripts/influxd2-build.sh
#
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

FLUX_MODULE=github.com/influxdata/flux
FLUX_VERSION=v0.65.1
INFLUXDB_VERSION=2.0.0-beta.8
HARNESS=integrations/influxd2
OUT=${OUT:-bin/influxd2-fluxpd}

log() { printf 'influxd2-build: %s\n' "$*" >&2; }
die() { printf 'influxd2-build: FAIL: %s\n' "$*" >&2; exit 1; }

# --- 1. derived flux ----------------------------------------------------------
scripts/flux-derive.sh "$HARNESS/.build/flux"

# --- 2. build -----------------------------------------------------------------
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The replace of github.com/influxdata/flux is unversioned, so check that the
# version the build graph selects is the one the copy was made from.
selected=$(cd "$HARNESS" && GOWORK=off go list -mod=readonly -m -f '{{.Version}}' "$FLUX_MODULE") \
  || die "cannot resolve the module graph of $HARNESS (if ./go.mod changed: cd $HARNESS && go mod tidy)"
[[ "$selected" == "$FLUX_VERSION" ]] \
  || die "$HARNESS selects $FLUX_MODULE $selected, but the derived copy is $FLUX_VERSION"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
mkdir -p "$(dirname "$OUT")"
case "$OUT" in /*) out_abs=$OUT ;; *) out_abs=$ROOT/$OUT ;; esac
log "building $OUT (influxdb $INFLUXDB_VERSION, API only, CGO_ENABLED=0)"
start=$SECONDS
if ! (cd "$HARNESS" && GOWORK=off CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath \
      -ldflags "-X main.version=$INFLUXDB_VERSION+fluxpd -X main.commit=fluxpd-$commit -X main.date=$date" \
      -o "$out_abs" .) 2> >(tee "$scratch/build.err" >&2); then
  wait # for tee
  if grep -q 'go\.sum\|go\.mod\|go mod tidy\|go get' "$scratch/build.err"; then
    die "go build failed: the nested module's requirements are stale, most likely
because ./go.mod changed. Refresh them and commit the result:
    (cd $HARNESS && go mod tidy)"
  fi
  die "go build failed"
fi
log "built in $((SECONDS - start))s"

# --- 3. smoke test --------------------------------------------------------------
"$out_abs" version || die "$OUT does not start (duplicate Flux package registration?)"
log "OK: $OUT"
