# shellcheck shell=bash
# scripts/lib/e2e.sh — the harness both InfluxDB end-to-end tests share
# (temporary dir, builds, free ports, servers started, awaited and stopped);
# sourced by scripts/influxd-e2e.sh and scripts/influxd2-e2e.sh from the
# repository root.
#
# Before sourcing, the caller sets NAME (the prefix of its lines and of the
# temporary dir), LOGS (the log files in $tmp that dump_logs shows) and
# LOG_LINES (how many of their last lines). Sourcing makes $tmp and sets the
# EXIT trap: it stops every process started with spawn, calls on_failure RC
# when the exit status RC is not 0 (by default: dump_logs; the caller may
# define its own after sourcing), and removes $tmp unless KEEP_TMP=1.
#
#   e2e_build BUILD_SCRIPT HARNESS   run BUILD_SCRIPT, build bin/fluxpd and
#                                    HARNESS/e2echeck as $e2echeck
#   free_ports N                     N distinct free 127.0.0.1 ports in ports
#   env_without GLOB...              unset_env: env(1) flags that drop the
#                                    environment variables matching a GLOB
#   spawn LOG CMD...                 start CMD in the background, output to
#                                    $tmp/LOG; its PID is $spawned
#   ready URL PID                    wait for URL to answer 2xx, failing
#                                    when PID exits
#   state_dir                        a new directory for a server's state, in
#                                    memory (/dev/shm) when it can be, as
#                                    $state_dir; removed (or kept) with $tmp
#   scaled SECONDS                   SECONDS times $FLUXPD_TEST_TIMEOUT_SCALE,
#                                    rounded up to whole seconds
#
# Every wait is for an event (a server answering, a process exiting), never
# for a fixed time, and gives up only after $LIMIT seconds: three minutes
# (as internal/testwait bounds the Go tests' waits) times
# FLUXPD_TEST_TIMEOUT_SCALE (a positive number, default 1; the e2echeck
# helpers read it too, through integrations/e2e.Limit). The limit exists to
# stop a hang on a busy machine, not to check how fast anything is.

say() { printf '%s: %s\n' "$NAME" "$*"; }

scaled() {
  awk -v n="$1" -v s="${FLUXPD_TEST_TIMEOUT_SCALE:-1}" 'BEGIN { v = n * s; i = int(v); if (i < v) i++; print i }'
}

if ! [[ "${FLUXPD_TEST_TIMEOUT_SCALE:-1}" =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] \
    || (( $(scaled 1000000) == 0 )); then
  say "FLUXPD_TEST_TIMEOUT_SCALE=\"$FLUXPD_TEST_TIMEOUT_SCALE\": want a positive number such as 2"
  exit 2
fi
LIMIT=$(scaled 180)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
dirs=("$tmp")
pids=()
spawned=
e2echeck=

dump_logs() {
  local f
  for f in "${LOGS[@]}"; do
    [[ -s "$tmp/$f" ]] || continue
    printf '\n----- last %s lines of %s -----\n' "$LOG_LINES" "$f"
    tail -n "$LOG_LINES" "$tmp/$f"
  done
}

on_failure() { dump_logs; }

stop() { # stop PID: TERM, wait for it to exit (at most $LIMIT s), then KILL
  local pid=$1 deadline=$((SECONDS + LIMIT))
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
      say "gave up after ${LIMIT}s waiting for process $pid to exit after TERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
}

e2e_cleanup() {
  local rc=$? p
  for p in "${pids[@]}"; do stop "$p"; done
  if (( rc != 0 )); then on_failure "$rc"; fi
  if [[ "${KEEP_TMP:-}" == 1 ]]; then say "kept ${dirs[*]}"; else rm -rf "${dirs[@]}"; fi
  exit "$rc"
}
trap e2e_cleanup EXIT

e2e_build() {
  "$1"
  say "building bin/fluxpd and the e2echeck scenario"
  go build -o bin/fluxpd ./cmd/fluxpd
  (cd "$2" && GOWORK=off go build -o "$tmp/e2echeck" ./e2echeck)
  e2echeck=$tmp/e2echeck
}

free_ports() {
  local p
  ports=()
  while (( ${#ports[@]} < $1 )); do
    p=$("$e2echeck" freeport)
    [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
  done
}

env_without() {
  local v g
  unset_env=()
  for v in $(compgen -e); do
    for g in "$@"; do
      # shellcheck disable=SC2053 # $g is a glob
      if [[ "$v" == $g ]]; then unset_env+=(-u "$v"); break; fi
    done
  done
}

spawn() {
  local log=$1; shift
  "$@" > "$tmp/$log" 2>&1 &
  spawned=$!
  pids+=("$spawned")
}

# A server that commits (fsyncs) on every write or task run falls ever
# further behind when the disk is busy with other writes (builds, an fsync
# loop): its state goes to memory, where a commit costs nothing, unless
# /dev/shm is missing; E2E_STATE_ROOT names another place.
state_dir() {
  local root=${E2E_STATE_ROOT:-}
  if [[ -z "$root" && -d /dev/shm && -w /dev/shm ]]; then root=/dev/shm; fi
  state_dir=$(mktemp -d "${root:-$tmp}/$NAME-state.XXXXXX")
  dirs+=("$state_dir")
}

ready() {
  "$e2echeck" wait -url "$1" -timeout "${LIMIT}s" -pid "$2"
}
