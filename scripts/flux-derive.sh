#!/usr/bin/env bash
# flux-derive.sh — make the derived copy of flux v0.65.1 that fluxpd's
# InfluxDB builds (integrations/influxd, integrations/influxd2) link instead
# of upstream Flux.
#
#   scripts/flux-derive.sh DEST       e.g. scripts/flux-derive.sh integrations/influxd2/.build/flux
#
# The derived copy is upstream flux v0.65.1 from the Go module cache plus
# exactly the changes in scripts/flux-v0.65.1-fluxpd.patch (committed):
#   1. stdlib/packages.go: the one line importing upstream pagerduty is
#      deleted, so fluxpd's package can register Flux package "pagerduty"
#      (two registrations make the server panic at start);
#   2. lang/compiler.go: AstProgram.Start first calls lang.PrepareContext
#      (4 lines), so the host can put per-query state (the script's own
#      pagerduty options, server defaults, a failure logger) into the
#      context the script is evaluated and executed with;
#   3. lang/fluxpd_hook.go (new): declares lang.PrepareContext (nil: no-op);
#   4. stdlib/universe/pivot.go: the optimised pivot (the one v1.fieldsAsCols()
#      and so monitor.from() use on storage data) advances the watermark once
#      after all its tables instead of after each one. Upstream's per-table
#      watermark makes every downstream dataset flush each table at once, so
#      tables that get the same group key after drop() are never merged: in
#      monitor.stateChanges() (drop(columns: ["_level"]) then difference())
#      the crit and the ok status stay two one-row tables, difference() drops
#      the first row of each, and the OK-after-CRIT notification rule never
#      resolves its alert. See integrations/influxd2/README.md.
# The script
#   - gets flux v0.65.1 with `go mod download` and checks its module hash;
#   - copies it to DEST (replacing what is there), applies the patch with
#     `patch`, and
#   - proves that DEST differs from the module cache copy in exactly those
#     four files (`diff -rq`), and that the differences are exactly the
#     patch (each file's unified diff is regenerated and compared with the
#     patch byte for byte). It fails loudly otherwise.
# Nothing of Flux's source is committed to this repository except the patch.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

FLUX_MODULE=github.com/influxdata/flux
FLUX_VERSION=v0.65.1
# go.sum hash of github.com/influxdata/flux v0.65.1 (same as in ./go.sum).
FLUX_SUM='h1:77BcVUCzvN5HMm8+j9PRBQ4iZcu98Dl4Y9rf+J5vhnc='
PATCH=scripts/flux-v0.65.1-fluxpd.patch
# The files the patch touches, in the order they appear in it.
CHANGED=(stdlib/packages.go lang/compiler.go lang/fluxpd_hook.go stdlib/universe/pivot.go)
NEW=lang/fluxpd_hook.go

log() { printf 'flux-derive: %s\n' "$*" >&2; }
die() { printf 'flux-derive: FAIL: %s\n' "$*" >&2; exit 1; }

[[ $# == 1 && -n "$1" ]] || die "usage: scripts/flux-derive.sh DEST"
DEST=$1
case "$DEST" in /*) ;; *) DEST=$ROOT/$DEST ;; esac
[[ "$DEST" == */.build/flux ]] || die "DEST must end in /.build/flux (it is deleted and rewritten): $DEST"
if ! command -v patch >/dev/null; then
  log "installing patch(1)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq patch >/dev/null; } 2>/dev/null \
    || die "patch(1) is needed (Debian: apt-get install patch)"
fi

# --- upstream flux from the module cache ------------------------------------
# Run outside any module so no go.mod's replace directives apply.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
json=$(cd "$scratch" && GOWORK=off GOFLAGS=-mod=mod go mod download -json "$FLUX_MODULE@$FLUX_VERSION") \
  || die "go mod download $FLUX_MODULE@$FLUX_VERSION failed"
field() { printf '%s\n' "$json" | sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p"; }
src=$(field Dir)
sum=$(field Sum)
[[ -n "$src" && -d "$src" ]] || die "no module directory for $FLUX_MODULE@$FLUX_VERSION in: $json"
[[ "$sum" == "$FLUX_SUM" ]] || die "$FLUX_MODULE@$FLUX_VERSION hash is '$sum', want '$FLUX_SUM'"

# --- writable copy, patched ---------------------------------------------------
if [[ -d "$DEST" ]]; then
  chmod -R u+w "$DEST"
  rm -rf "$DEST"
fi
mkdir -p "$DEST"
cp -R "$src/." "$DEST/"
chmod -R u+w "$DEST"
patch -d "$DEST" -p1 --forward --batch --silent --no-backup-if-mismatch < "$PATCH" \
  || die "$PATCH does not apply to $FLUX_MODULE@$FLUX_VERSION"

# --- prove the copy is upstream plus exactly the patch ------------------------
want=""
for f in "${CHANGED[@]}"; do
  if [[ "$f" == "$NEW" ]]; then
    want+="Only in $DEST/${f%/*}: ${f##*/}"$'\n'
  else
    want+="Files $src/$f and $DEST/$f differ"$'\n'
  fi
done
got=$(diff -rq "$src" "$DEST" | LC_ALL=C sort || true)
[[ "$got" == "$(printf '%s' "$want" | LC_ALL=C sort)" ]] \
  || die "the derived copy differs from upstream in other places than ${CHANGED[*]}:
$got"
regen=$scratch/regen.patch
for f in "${CHANGED[@]}"; do
  a=$src/$f
  [[ "$f" == "$NEW" ]] && a=/dev/null
  diff -u --label "a/$f" --label "b/$f" "$a" "$DEST/$f" >> "$regen" || true
done
# diff -u of a new file against /dev/null says "-0,0"; so does the patch.
cmp -s "$regen" "$PATCH" || die "the derived copy's changes are not exactly $PATCH:
$(diff "$PATCH" "$regen" || true)"
log "derived flux $FLUX_VERSION in ${DEST#"$ROOT"/}: upstream plus exactly $PATCH (${CHANGED[*]})"
