# shellcheck shell=bash
# scripts/lib/influxd-build.sh — the build steps both InfluxDB builds share;
# sourced by scripts/influxd-build.sh and scripts/influxd2-build.sh.
#
#   build_influxd NAME HARNESS OUT WHAT LDFLAGS
#
# NAME prefixes the log lines (e.g. influxd-build); HARNESS is the nested
# module (integrations/influxd or integrations/influxd2), OUT the binary to
# write (relative to the repository root or absolute), WHAT says what is
# built in the log (e.g. "influxdb 1.8.10"), LDFLAGS the -ldflags of
# go build. The caller runs from the repository root ($ROOT). Steps:
#   1. scripts/flux-derive.sh makes HARNESS/.build/flux (git-ignored);
#   2. checks that HARNESS's module graph selects the flux version the
#      derived copy is made from (its replace is unversioned), then builds
#      HARNESS with CGO_ENABLED=0 (-mod=readonly, -trimpath); when the
#      failure is about stale requirements it says to run go mod tidy;
#   3. smoke-tests the binary ("version" runs every package's init, so a
#      duplicate registration of "pagerduty" would panic here).

# The flux that scripts/flux-derive.sh derives the copy from.
FLUX_MODULE=github.com/influxdata/flux
FLUX_VERSION=v0.65.1

build_influxd() {
  local name=$1 harness=$2 out=$3 what=$4 ldflags=$5
  local scratch selected out_abs start
  log() { printf '%s: %s\n' "$name" "$*" >&2; }
  die() { printf '%s: FAIL: %s\n' "$name" "$*" >&2; exit 1; }

  # --- 1. derived flux --------------------------------------------------------
  scripts/flux-derive.sh "$harness/.build/flux"

  # --- 2. build ---------------------------------------------------------------
  scratch=$(mktemp -d)
  # shellcheck disable=SC2064 # expanded now: $scratch is local
  trap "rm -rf $(printf %q "$scratch")" EXIT
  # The replace of github.com/influxdata/flux is unversioned, so check that the
  # version the build graph selects is the one the copy was made from.
  selected=$(cd "$harness" && GOWORK=off go list -mod=readonly -m -f '{{.Version}}' "$FLUX_MODULE") \
    || die "cannot resolve the module graph of $harness (if ./go.mod changed: cd $harness && go mod tidy)"
  [[ "$selected" == "$FLUX_VERSION" ]] \
    || die "$harness selects $FLUX_MODULE $selected, but the derived copy is $FLUX_VERSION"
  mkdir -p "$(dirname "$out")"
  case "$out" in /*) out_abs=$out ;; *) out_abs=$ROOT/$out ;; esac
  log "building $out ($what, CGO_ENABLED=0)"
  start=$SECONDS
  if ! (cd "$harness" && GOWORK=off CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath \
        -ldflags "$ldflags" -o "$out_abs" .) 2> >(tee "$scratch/build.err" >&2); then
    wait # for tee
    if grep -q 'go\.sum\|go\.mod\|go mod tidy\|go get' "$scratch/build.err"; then
      die "go build failed: the nested module's requirements are stale, most likely
because ./go.mod changed. Refresh them and commit the result:
    (cd $harness && go mod tidy)"
    fi
    die "go build failed"
  fi
  log "built in $((SECONDS - start))s"

  # --- 3. smoke test ----------------------------------------------------------
  "$out_abs" version || die "$out does not start (duplicate Flux package registration?)"
  log "OK: $out"
}
