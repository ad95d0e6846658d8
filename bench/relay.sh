#!/usr/bin/env bash
# bench/relay.sh: fluxpd relay's benchmarks (make relay-bench; make bench
# runs it after the Flux scenarios). Builds bin/fluxpd and bin/relaybench,
# runs relaybench (bench/cmd/relaybench) and writes its report to
# bench/results/relay-latest.md (and the raw results, relay-latest.json).
#
# Knobs (environment): RELAY_DURATION (each accept run, default 5s),
# RELAY_SENDERS (default 64), RELAY_DRAIN (events drained, default 10000),
# RELAY_RSS (events pending for the memory figure, default 100000),
# QUICK=1 (a smoke run: small sizes, report in ${TMPDIR:-/tmp}).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${RELAY_DURATION:-5s}
SENDERS=${RELAY_SENDERS:-64}
DRAIN=${RELAY_DRAIN:-10000}
RSS=${RELAY_RSS:-100000}
NAME=relay-latest
OUT=bench/results
if [[ "${QUICK:-}" == 1 ]]; then
	DURATION=1s DRAIN=500 RSS=2000 NAME=fluxpd-relay-bench-quick OUT=${TMPDIR:-/tmp}
fi
mkdir -p bin "$OUT"

echo "building fluxpd, relaybench" >&2
go build -o bin/fluxpd ./cmd/fluxpd
go build -o bin/relaybench ./bench/cmd/relaybench
# The outbox files go under bin/, on the checkout's disk: on a tmpfs /tmp
# an fsync costs nothing and the commit comparison would mean nothing.
bin/relaybench -fluxpd bin/fluxpd -dir bin -senders "$SENDERS" -duration "$DURATION" \
	-drain "$DRAIN" -rss "$RSS" -json "$OUT/$NAME.json.tmp" >"$OUT/$NAME.md.tmp"
mv "$OUT/$NAME.json.tmp" "$OUT/$NAME.json"
mv "$OUT/$NAME.md.tmp" "$OUT/$NAME.md"
cat "$OUT/$NAME.md"
echo "relay bench: wrote $OUT/$NAME.md and $OUT/$NAME.json" >&2
