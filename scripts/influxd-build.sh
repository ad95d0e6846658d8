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
# as well would panic at start ("duplicate builtin package"). So this script:
#   1. makes integrations/influxd/.build/flux (git-ignored) with
#      scripts/flux-derive.sh (shared with the InfluxDB 2 build): flux
#      v0.65.1 from the module cache plus exactly
#      scripts/flux-v0.65.1-fluxpd.patch — no upstream pagerduty import,
#      lang.PrepareContext (which main.go sets so every query carries its
#      script's pagerduty options and the server's defaults), and the
#      optimised pivot's watermark fix — checked with diff -r;
#   2. builds the nested module integrations/influxd (whose go.mod replaces
#      github.com/influxdata/flux with ./.build/flux and github.com/fluxpd/fluxpd
#      with the repository root) with CGO_ENABLED=0;
#   3. smoke-tests the binary ("version" runs every package's init, so a
#      duplicate registration would panic here).
# Nothing of Flux's or InfluxDB's source is committed to this repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

FLUX_MODULE=github.com/influxdata/flux
FLUX_VERSION=v0.65.1
INFLUXDB_VERSION=1.8.10
HARNESS=integrations/influxd
OUT=${OUT:-bin/influxd-fluxpd}

log() { printf 'influxd-build: %s\n' "$*" >&2; }
die() { printf 'influxd-build: FAIL: %s\n' "$*" >&2; exit 1; }

# --- 1. derived flux ----------------------------------------------------------
scripts/flux-derive.sh "$HARNESS/.build/flux"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# --- 2. build -----------------------------------------------------------------
# The replace of github.com/influxdata/flux is unversioned, so check that the
# version the build graph selects is the one the copy was made from.
selected=$(cd "$HARNESS" && GOWORK=off go list -mod=readonly -m -f '{{.Version}}' "$FLUX_MODULE") \
  || die "cannot resolve the module graph of $HARNESS (if ./go.mod changed: cd $HARNESS && go mod tidy)"
[[ "$selected" == "$FLUX_VERSION" ]] \
  || die "$HARNESS selects $FLUX_MODULE $selected, but the patched copy is $FLUX_VERSION"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
mkdir -p "$(dirname "$OUT")"
case "$OUT" in /*) out_abs=$OUT ;; *) out_abs=$ROOT/$OUT ;; esac
log "building $OUT (influxdb $INFLUXDB_VERSION, CGO_ENABLED=0)"
start=$SECONDS
if ! (cd "$HARNESS" && GOWORK=off CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath \
      -ldflags "-X main.version=$INFLUXDB_VERSION -X main.branch=fluxpd -X main.commit=$commit" \
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

# --- 3. smoke test ----------------------------------------------------------
"$out_abs" version || die "$OUT does not start (duplicate Flux package registration?)"
log "OK: $OUT"
