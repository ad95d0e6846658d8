#!/usr/bin/env bash
# influxd2-e2e.sh — end-to-end test of fluxpd's pagerduty package inside
# InfluxDB 2.0.0-beta.8: a task, and checks with PagerDuty notification
# rules, all through InfluxDB's HTTP API.
#
#   scripts/influxd2-e2e.sh        (from anywhere; run by `make e2e-influxd2`)
#
# It builds bin/influxd2-fluxpd (scripts/influxd2-build.sh), bin/fluxpd and
# the helper integrations/influxd2/e2echeck, then starts on free 127.0.0.1
# ports, with InfluxDB's state in memory (state_dir in scripts/lib/e2e.sh):
#   - the fluxpd PagerDuty emulator;
#   - e2echeck proxy in front of it: it records every event body (keys
#     masked) so the test can check fields the emulator does not show
#     (class, group, timestamp, client_url), and answers 400 for one
#     "refused" 32-character key, as PagerDuty does for an unknown key;
#   - influxd2-fluxpd with FLUXPD_PAGERDUTY_URL pointing at the proxy's
#     /v2/enqueue (no script names a URL: the server default is used).
# It waits for them by polling, then runs `e2echeck scenario` (see
# integrations/influxd2/e2echeck/scenario.go): (a) a task with
# pagerduty.endpoint() and secrets.get, (b) a threshold check, a PagerDuty
# endpoint and an OK-after-CRIT rule through crit and back to ok, (c) rules
# whose keys are wrong, (d) the generated rule script, compared with the
# committed fixture flux_test/testdata/influxd2_rule_crit_ok.flux
# (UPDATE_FIXTURE=1 rewrites it), (e) an outage while a rule sends: the
# events wait in the server's outbox (on by default next to --bolt-path;
# FLUXPD_OUTBOX_RETRY shortens its backoff for the test) and the background
# flusher delivers them once the outage ends. An unopenable FLUXPD_OUTBOX
# must stop the start. Finally no routing key may appear in any answer or log.
# Every process is stopped by PID on exit (the harness, shared with
# scripts/influxd-e2e.sh, is scripts/lib/e2e.sh).
# KEEP_TMP=1 keeps the temporary dir (logs, every answer).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

NAME=influxd2-e2e
LOGS=(influxd.log emulator.log proxy.log)
LOG_LINES=40
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/e2e.sh
mkdir -p "$tmp/answers"
state_dir
state=$state_dir

# Placeholders, never real keys: 32 characters (accepted), 32 (refused by the
# proxy), 31 (refused by everyone).
KEY=e2e0influxd2aaaa0123456789abcdef
BAD_KEY=e2e0influxd2refused0123456789ab
BAD_KEY=${BAD_KEY}c
SHORT_KEY=e2e0influxd2short0123456789abcd
SHORT_KEY=${SHORT_KEY:0:31}
FIXTURE=flux_test/testdata/influxd2_rule_crit_ok.flux

(( ${#KEY} == 32 && ${#BAD_KEY} == 32 && ${#SHORT_KEY} == 31 )) || { say "bad test keys"; exit 2; }

# ---------------------------------------------------------------- build ---
start=$SECONDS
e2e_build scripts/influxd2-build.sh integrations/influxd2
say "built in $((SECONDS - start))s"

# ---------------------------------------------------------------- start ---
free_ports 3
EMU=http://127.0.0.1:${ports[0]}
PROXY=http://127.0.0.1:${ports[1]}
INFLUX=http://127.0.0.1:${ports[2]}

say "starting the emulator on $EMU and the recording proxy on $PROXY"
spawn emulator.log bin/fluxpd emulator --addr "127.0.0.1:${ports[0]}"
emulator_pid=$spawned
spawn proxy.log "$e2echeck" proxy -listen "127.0.0.1:${ports[1]}" -to "$EMU" -reject-key "$BAD_KEY"
ready "$EMU/_emulator/requests" "$emulator_pid"
ready "$PROXY/_proxy/ready" "$spawned"

# refuses_to_start LOG VAR=VALUE WHY GREP_FLAGS PATTERN MESSAGE: influxd2-fluxpd
# started with VAR=VALUE (WHY) must exit non-zero, its output ($tmp/LOG)
# matching grep GREP_FLAGS PATTERN; if not, the script stops ("no clear
# message MESSAGE"). Its exit is awaited for at most $LIMIT s: a server
# still running then did not refuse.
refuses_to_start() {
  local log=$1 setting=$2 why=$3 flags=$4 pattern=$5 message=$6 rc=0
  env "$setting" timeout "$LIMIT" bin/influxd2-fluxpd \
    --http-bind-address="127.0.0.1:${ports[2]}" --bolt-path="$tmp/refused.bolt" \
    --engine-path="$tmp/refused-engine" --reporting-disabled > "$tmp/$log" 2>&1 || rc=$?
  if (( rc == 0 )); then say "FAIL: influxd2-fluxpd started with $why"; exit 1; fi
  if (( rc == 124 )); then
    say "FAIL: gave up after ${LIMIT}s waiting for influxd2-fluxpd to refuse to start with $why: it was still running; its output:"
    cat "$tmp/$log"; exit 1
  fi
  grep "$flags" "$pattern" "$tmp/$log" \
    || { say "FAIL: no clear message $message (exit $rc):"; cat "$tmp/$log"; exit 1; }
  say "PASS  refused to start: $(head -n 1 "$tmp/$log")"
}

# A bad default URL makes the server refuse to start, with a clear message.
say "a bad FLUXPD_PAGERDUTY_URL: the server must refuse to start"
refuses_to_start refused.log FLUXPD_PAGERDUTY_URL="127.0.0.1:${ports[1]}/v2/enqueue" \
  "FLUXPD_PAGERDUTY_URL without a scheme" -q 'refusing to start: .*PagerDuty URL.*FLUXPD_PAGERDUTY_URL' \
  "for a bad FLUXPD_PAGERDUTY_URL"

# An outbox that cannot be opened (here: a directory) stops the start too.
say "FLUXPD_OUTBOX naming a directory: the server must refuse to start"
mkdir -p "$tmp/not-a-file"
refuses_to_start refused-outbox.log FLUXPD_OUTBOX="$tmp/not-a-file" \
  "FLUXPD_OUTBOX naming a directory" -qF "refusing to start: cannot open the pagerduty outbox $tmp/not-a-file" \
  "naming the outbox path"

# INFLUXD_* variables would override the flags: drop them.
env_without 'INFLUXD_*' 'FLUXPD_*'
# The outbox is on by default, next to --bolt-path. Its backoff starts at
# 30s; the test shortens it (1s, capped at 3s) so that part (e) does not
# wait minutes for the redelivery after the outage (it waits for the
# delivery itself, however long it takes).
OUTBOX=$state/fluxpd-outbox.db
# InfluxDB rejects a query ("queue length exceeded": the run fails) when 10
# run and 10 wait. On a busy machine the runs of the check, the rules and
# the task come late and pile up: let them wait instead.
say "starting influxd2-fluxpd on $INFLUX, state in $state"
spawn influxd.log env "${unset_env[@]}" FLUXPD_PAGERDUTY_URL="$PROXY/v2/enqueue" FLUXPD_PAGERDUTY_CHANGE_URL="$PROXY/v2/change/enqueue" \
  FLUXPD_OUTBOX_RETRY=1s FLUXPD_OUTBOX_RETRY_MAX=3s \
  bin/influxd2-fluxpd --http-bind-address="127.0.0.1:${ports[2]}" --bolt-path="$state/influxd.bolt" \
  --engine-path="$state/engine" --reporting-disabled --query-queue-size=1000
ready "$INFLUX/health" "$spawned"
say "all servers are ready"
rc=0
# The default outbox: <dir of --bolt-path>/fluxpd-outbox.db, mode 0600, in the log.
mode=$(stat -c %a "$OUTBOX" 2>/dev/null || echo missing)
if [[ "$mode" == 600 ]] && grep -q "fluxpd native pagerduty.*outbox=$OUTBOX" "$tmp/influxd.log"; then
  say "PASS  the outbox is on by default at <dir of --bolt-path>/fluxpd-outbox.db (mode $mode, in the start-up log)"
else
  say "FAIL  outbox $OUTBOX: mode $mode; start-up line: $(grep 'fluxpd native pagerduty' "$tmp/influxd.log" || echo none)"; rc=1
fi

# ------------------------------------------------------------- scenario ---
"$e2echeck" scenario -influx "$INFLUX" -emulator "$EMU" -proxy "$PROXY" -out "$tmp/answers" \
  -log "$tmp/influxd.log" -key "$KEY" -bad-key "$BAD_KEY" -short-key "$SHORT_KEY" \
  -fixture "$tmp/rule.flux" || rc=1

if [[ -s "$tmp/rule.flux" ]]; then
  if [[ "${UPDATE_FIXTURE:-}" == 1 ]]; then
    cp "$tmp/rule.flux" "$FIXTURE"; say "wrote $FIXTURE"
  elif diff -u "$FIXTURE" "$tmp/rule.flux"; then
    say "PASS  (d) the generated rule script is $FIXTURE"
  else
    say "FAIL  (d) the generated rule script differs from $FIXTURE (UPDATE_FIXTURE=1 rewrites it)"; rc=1
  fi
fi

# The outbox is shared: fluxpd outbox stats reads it while the server runs.
# Late runs of pd-rule may have queued more events behind those of (e):
# each stats must succeed, and the flusher must empty the outbox (awaited
# for at most $LIMIT s).
outbox_drained() {
  local f=$tmp/answers/outbox-stats.txt deadline=$((SECONDS + LIMIT))
  while bin/fluxpd outbox stats --outbox "$OUTBOX" > "$f" 2>&1; do
    grep -q '^pending: 0 ' "$f" && return 0
    if (( SECONDS >= deadline )); then
      say "gave up after ${LIMIT}s waiting for the outbox to empty; last seen: $(head -n 2 "$f" | tr '\n' ' ')"
      return 1
    fi
    sleep 1
  done
  return 1
}
if outbox_drained; then
  say "PASS  (e) fluxpd outbox stats on the running server's outbox: $(head -n 2 "$tmp/answers/outbox-stats.txt" | tr '\n' ' ')"
else
  say "FAIL  (e) fluxpd outbox stats --outbox $OUTBOX:"; cat "$tmp/answers/outbox-stats.txt"; rc=1
fi

# No routing key in any answer or log (the proxy's recordings are masked too).
leaks=$(grep -rlF -e "$KEY" -e "$BAD_KEY" -e "$SHORT_KEY" "$tmp/answers" "$tmp/influxd.log" "$tmp/emulator.log" "$tmp/proxy.log" || true)
if [[ -n "$leaks" ]]; then
  say "FAIL  a routing key appears in: $leaks"; rc=1
else
  say "PASS  no routing key in $(find "$tmp/answers" -mindepth 1 -maxdepth 1 | wc -l) answers or in the logs"
fi
if grep -q 'pagerduty' "$tmp/influxd.log"; then
  say "influxd's pagerduty log lines:"; grep -m 8 'pagerduty' "$tmp/influxd.log" | sed 's/^/      /' || true
fi

if (( rc != 0 )); then say "FAIL (KEEP_TMP=1 keeps logs and answers)"; else say "PASS in $((SECONDS - start))s"; fi
exit "$rc"
