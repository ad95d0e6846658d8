#!/usr/bin/env bash
# flux-compat.sh — run the main module's vet and tests against another Flux
# release than the one go.mod requires (default v0.67.0), without touching
# go.mod or go.sum.
#
#   scripts/flux-compat.sh [VERSION]      e.g. scripts/flux-compat.sh v0.67.0
#
# It copies go.mod and go.sum to a temporary dir, requires
# github.com/influxdata/flux@VERSION there and tidies that copy, then runs
# `go vet` and `go test -count=1` on ./... (bounded by $GO_TEST_TIMEOUT, 45m
# by default, against hangs only) with -modfile pointing at the copy.
# Before that it compares the upstream stdlib package list of VERSION
# (stdlib/packages.go) with ours (./stdlib/packages.go imports each upstream
# package explicitly) and warns about packages added or removed upstream:
# such a difference is not a test failure, but fluxpd linked with VERSION
# would lack (or fail to build) those packages.
# It exits non-zero when vet or a test fails, and checks at the end that
# go.mod and go.sum are byte-for-byte unchanged.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

FLUX=github.com/influxdata/flux
VERSION=${1:-v0.67.0}
case "$VERSION" in v*) ;; *) VERSION=v$VERSION ;; esac

log() { printf 'flux-compat: %s\n' "$*" >&2; }
die() { printf 'flux-compat: FAIL: %s\n' "$*" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/flux-compat.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
before=$(cat go.mod go.sum | sha256sum)

# --- a temporary go.mod requiring flux@VERSION ------------------------------
cp go.mod "$tmp/go.mod"
cp go.sum "$tmp/go.sum"
current=$(GOWORK=off go list -m -f '{{.Version}}' "$FLUX")
log "go.mod requires $FLUX $current; testing against $VERSION (temporary $tmp/go.mod)"
GOWORK=off go mod edit -modfile="$tmp/go.mod" -require="$FLUX@$VERSION"
GOWORK=off go mod tidy -modfile="$tmp/go.mod" || die "go mod tidy failed for $FLUX@$VERSION"
selected=$(GOWORK=off go list -modfile="$tmp/go.mod" -m -f '{{.Version}}' "$FLUX")
[[ "$selected" == "$VERSION" ]] || die "the temporary go.mod selects $FLUX $selected, not $VERSION"
log "module changes against go.mod:"
diff "$ROOT/go.mod" "$tmp/go.mod" | sed 's/^/    /' >&2 || true

# --- stdlib package list ------------------------------------------------------
# imports FILE: the flux stdlib packages FILE imports, without the prefix.
imports() { sed -n 's#^[[:space:]]*_ "github.com/influxdata/flux/stdlib/\([^"]*\)".*#\1#p' "$1" | sort; }
dir=$(GOWORK=off go list -modfile="$tmp/go.mod" -m -f '{{.Dir}}' "$FLUX")
# Upstream's list, less what fluxpd cannot or does not link: flux's internal
# packages (Go forbids importing them) and upstream pagerduty (fluxpd's own
# replaces it).
imports "$dir/stdlib/packages.go" | grep -v -e '^internal/' -e '^pagerduty$' > "$tmp/upstream.txt"
imports stdlib/packages.go > "$tmp/ours.txt"
if stdlib_diff=$(diff "$tmp/ours.txt" "$tmp/upstream.txt"); then
  log "stdlib package list: ./stdlib/packages.go matches $FLUX@$VERSION"
else
  log "WARNING: ./stdlib/packages.go differs from $FLUX@$VERSION's stdlib/packages.go"
  log "  ('>' upstream $VERSION only, '<' ours only):"
  printf '%s\n' "$stdlib_diff" | grep '^[<>]' | sed 's/^/    /' >&2
fi

# --- vet and test ---------------------------------------------------------------
status=0
log "go vet -modfile=... ./..."
GOWORK=off go vet -modfile="$tmp/go.mod" ./... || { status=1; log "FAIL: go vet against $VERSION"; }
log "go test -modfile=... -count=1 ./..."
GOWORK=off go test -modfile="$tmp/go.mod" -timeout "${GO_TEST_TIMEOUT:-45m}" -count=1 ./... || { status=1; log "FAIL: go test against $VERSION"; }

after=$(cat go.mod go.sum | sha256sum)
[[ "$before" == "$after" ]] || die "go.mod or go.sum changed during the run; that is a bug of this script"

if (( status == 0 )); then
  log "PASS: vet and tests pass against $FLUX@$VERSION"
else
  log "FAIL: vet or tests fail against $FLUX@$VERSION (see above)"
fi
exit "$status"
