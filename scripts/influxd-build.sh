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
#   1. gets flux v0.65.1 (the version InfluxDB 1.8.10 requires) from the Go
#      module cache and checks its module hash against the one pinned below;
#   2. copies it to integrations/influxd/.build/flux (git-ignored), writable;
#   3. deletes the single line importing upstream pagerduty from
#      stdlib/packages.go, and checks with diff that exactly that one line of
#      the whole module differs — it fails loudly otherwise;
#   4. builds the nested module integrations/influxd (whose go.mod replaces
#      github.com/influxdata/flux with ./.build/flux and github.com/fluxpd/fluxpd
#      with the repository root) with CGO_ENABLED=0;
#   5. smoke-tests the binary ("version" runs every package's init, so a
#      duplicate registration would panic here).
# Nothing of Flux's or InfluxDB's source is committed to this repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

FLUX_MODULE=github.com/influxdata/flux
FLUX_VERSION=v0.65.1
# go.sum hash of github.com/influxdata/flux v0.65.1 (same as in ./go.sum).
FLUX_SUM='h1:77BcVUCzvN5HMm8+j9PRBQ4iZcu98Dl4Y9rf+J5vhnc='
INFLUXDB_VERSION=1.8.10
HARNESS=integrations/influxd
PATCHED=$HARNESS/.build/flux
OUT=${OUT:-bin/influxd-fluxpd}
UPSTREAM_IMPORT=$'\t_ "github.com/influxdata/flux/stdlib/pagerduty"'

log() { printf 'influxd-build: %s\n' "$*" >&2; }
die() { printf 'influxd-build: FAIL: %s\n' "$*" >&2; exit 1; }

# --- 1. upstream flux from the module cache --------------------------------
# Run outside any module so neither go.mod's replace directives apply.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
json=$(cd "$scratch" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$FLUX_MODULE@$FLUX_VERSION") \
  || die "go mod download $FLUX_MODULE@$FLUX_VERSION failed"
field() { printf '%s\n' "$json" | sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p"; }
src=$(field Dir)
sum=$(field Sum)
[[ -n "$src" && -d "$src" ]] || die "no module directory for $FLUX_MODULE@$FLUX_VERSION in: $json"
[[ "$sum" == "$FLUX_SUM" ]] || die "$FLUX_MODULE@$FLUX_VERSION hash is '$sum', want '$FLUX_SUM'"
log "upstream flux $FLUX_VERSION: $src"

# --- 2. writable copy -------------------------------------------------------
if [[ -d "$PATCHED" ]]; then
  chmod -R u+w "$PATCHED"
  rm -rf "$PATCHED"
fi
mkdir -p "$PATCHED"
cp -R "$src/." "$PATCHED/"
chmod -R u+w "$PATCHED"

# --- 3. drop the upstream pagerduty import, and prove that's all -----------
pkgs=$PATCHED/stdlib/packages.go
n=$(grep -cxF -- "$UPSTREAM_IMPORT" "$pkgs" || true)
[[ "$n" == 1 ]] || die "expected exactly one line '$UPSTREAM_IMPORT' in $pkgs, found $n"
grep -vxF -- "$UPSTREAM_IMPORT" "$src/stdlib/packages.go" > "$pkgs"

# The whole module must differ in one file only...
changed=$(diff -rq "$src" "$PATCHED" || true)
[[ "$changed" == "Files $src/stdlib/packages.go and $PATCHED/stdlib/packages.go differ" ]] \
  || die "patched flux differs from upstream in more than stdlib/packages.go:
$changed"
# ...and in that file by exactly the one removed line.
delta=$(diff "$src/stdlib/packages.go" "$pkgs" | grep '^[<>]' || true)
[[ "$delta" == "< $UPSTREAM_IMPORT" ]] \
  || die "stdlib/packages.go differs by more than the pagerduty import:
$delta"
log "patched copy: $PATCHED (only change: removed '${UPSTREAM_IMPORT#$'\t'}' from stdlib/packages.go)"

# --- 4. build ---------------------------------------------------------------
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

# --- 5. smoke test ----------------------------------------------------------
"$out_abs" version || die "$OUT does not start (duplicate Flux package registration?)"
log "OK: $OUT"
