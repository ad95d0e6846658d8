#!/usr/bin/env bash
# influxd2-e2e.sh — end-to-end test of fluxpd's pagerduty package inside
# InfluxDB 2.0.0-beta.8: a task, and checks with PagerDuty notification
# rules, all through InfluxDB's HTTP API.
#
#   scripts/influxd2-e2e.sh        (from anywhere; run by `make e2e-influxd2`)
#
# The shell builds, starts and stops; Go runs every step. It builds
# bin/influxd2-fluxpd (scripts/influxd2-build.sh), bin/fluxpd and the
# scenario, integrations/influxd2/e2echeck; starts on free 127.0.0.1 ports,
# with InfluxDB's state in memory (state_dir in scripts/lib/e2e.sh), the
# fluxpd PagerDuty emulator and influxd2-fluxpd with FLUXPD_PAGERDUTY_URL
# pointing at the emulator's /v2/enqueue (no script names a URL: the server
# default is used); waits for them by polling; then runs `e2echeck
# scenario`, one function per step (see
# integrations/influxd2/e2echeck/scenario.go): bad settings stop the start,
# the outbox is on by default, (a) a task with pagerduty.endpoint() and
# secrets.get, (b) a threshold check, a PagerDuty endpoint and an
# OK-after-CRIT rule through crit and back to ok, (c) rules whose keys are
# wrong (one the emulator refuses, as PagerDuty refuses an unknown key),
# (d) the generated rule script, compared with the committed fixture
# flux_test/testdata/influxd2_rule_crit_ok.flux (UPDATE_FIXTURE=1 rewrites
# it), (e) an outage while a rule sends: the events wait in the server's
# outbox (FLUXPD_OUTBOX_RETRY shortens its backoff for the test) and the
# background flusher delivers them once the outage ends; finally no routing
# key may appear in any answer or log.
# Every process is stopped by PID on exit (the harness, shared with
# scripts/influxd-e2e.sh, is scripts/lib/e2e.sh).
# KEEP_TMP=1 keeps the temporary dir (logs, every answer).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

NAME=influxd2-e2e
LOGS=(influxd.log emulator.log)
LOG_LINES=40
# shellcheck source-path=SCRIPTDIR/..
source scripts/lib/e2e.sh
mkdir -p "$tmp/answers"
state_dir
state=$state_dir

# Placeholders, never real keys: 32 characters (accepted), 32 (refused by the
# emulator when the scenario asks), 31 (refused by everyone).
KEY=e2e0influxd2aaaa0123456789abcdef
BAD_KEY=e2e0influxd2refused0123456789ab
BAD_KEY=${BAD_KEY}c
SHORT_KEY=e2e0influxd2short0123456789abcd
SHORT_KEY=${SHORT_KEY:0:31}

(( ${#KEY} == 32 && ${#BAD_KEY} == 32 && ${#SHORT_KEY} == 31 )) || { say "bad test keys"; exit 2; }

# ---------------------------------------------------------------- build ---
start=$SECONDS
e2e_build scripts/influxd2-build.sh integrations/influxd2
say "built in $((SECONDS - start))s"

# ---------------------------------------------------------------- start ---
free_ports 2
EMU=http://127.0.0.1:${ports[0]}
INFLUX=http://127.0.0.1:${ports[1]}

say "starting the emulator on $EMU"
spawn emulator.log bin/fluxpd emulator --addr "127.0.0.1:${ports[0]}"
emulator_pid=$spawned
ready "$EMU/_emulator/requests" "$emulator_pid"

# INFLUXD_* variables would override the flags, the caller's FLUXPD_* the
# settings under test: drop them.
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
spawn influxd.log env "${unset_env[@]}" FLUXPD_PAGERDUTY_URL="$EMU/v2/enqueue" FLUXPD_PAGERDUTY_CHANGE_URL="$EMU/v2/change/enqueue" \
  FLUXPD_OUTBOX_RETRY=1s FLUXPD_OUTBOX_RETRY_MAX=3s \
  bin/influxd2-fluxpd --http-bind-address="127.0.0.1:${ports[1]}" --bolt-path="$state/influxd.bolt" \
  --engine-path="$state/engine" --reporting-disabled --query-queue-size=1000
ready "$INFLUX/health" "$spawned"
say "all servers are ready"

# ------------------------------------------------------------- scenario ---
update_fixture=false
[[ "${UPDATE_FIXTURE:-}" == 1 ]] && update_fixture=true
"$e2echeck" scenario -influx "$INFLUX" -emulator "$EMU" -answers "$tmp/answers" \
  -log "$tmp/influxd.log" -emulator-log "$tmp/emulator.log" -influxd bin/influxd2-fluxpd -tmp "$tmp" \
  -outbox "$OUTBOX" -fluxpd bin/fluxpd -fixture flux_test/testdata/influxd2_rule_crit_ok.flux \
  -update-fixture="$update_fixture" -key "$KEY" -bad-key "$BAD_KEY" -short-key "$SHORT_KEY"
say "PASS in $((SECONDS - start))s"
