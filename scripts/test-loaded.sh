#!/usr/bin/env bash
# test-loaded.sh — run `make test` beside two busy CPU hogs and an I/O hog, as
# a shared two-core CI machine or a busy laptop would, to show that no test's
# verdict depends on how fast the machine is.
#
#   scripts/test-loaded.sh [RUNS]     (make test-loaded; RUNS defaults to 1)
#
# The hogs run at the same priority as the tests (no nice), are started by
# this script and stopped by their PIDs when it exits, whatever happens.
# RUNS > 1 repeats `make test` that many times in a row and stops at the
# first failure. Each run's wall time is printed, and a last line
# "test-loaded: N passed, M failed" sums up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

runs=${1:-1}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "test-loaded: RUNS must be a positive whole number, got '$runs'" >&2; exit 2; }

log() { printf 'test-loaded: %s\n' "$*" >&2; }

iohog_dir=$(mktemp -d "${TMPDIR:-/tmp}/test-loaded.XXXXXX")
hogs=()
stop_hogs() {
  local p
  for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${hogs[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$iohog_dir"
}
trap stop_hogs EXIT

# Two CPU hogs: a busy loop each, one per core of a two-core machine.
for _ in 1 2; do
  ( while :; do :; done ) &
  hogs+=("$!")
done
# An I/O hog: 256 MiB written and fsynced, again and again.
( while :; do
    dd if=/dev/zero of="$iohog_dir/hog" bs=1M count=256 conv=fsync 2>/dev/null
    rm -f "$iohog_dir/hog"
  done ) &
hogs+=("$!")
log "started CPU hogs ${hogs[0]} ${hogs[1]} and I/O hog ${hogs[2]} beside make test"

passed=0 failed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if make test; then rc=0; else rc=$?; fi
  took=$(( $(date +%s) - start ))
  if (( rc == 0 )); then
    passed=$((passed + 1))
    log "run $i of $runs passed in $((took / 60)) min $((took % 60)) s"
  else
    failed=$((failed + 1))
    log "run $i of $runs FAILED (make test exited $rc) after $((took / 60)) min $((took % 60)) s"
    break
  fi
done
echo "test-loaded: $passed passed, $failed failed"
(( failed == 0 ))
