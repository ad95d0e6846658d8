#!/usr/bin/env bash
# bench/run.sh: the whole benchmark (make bench). Builds fluxpdbench (this
# module), upstreambench (bench/upstream, upstream Flux v0.65.1's own
# pagerduty) and benchreport, runs every scenario in its own process against
# an in-process loopback receiver, and writes bench/results/latest.md (and
# the raw results, latest.jsonl). Prints the report at the end. Any wrong
# delivery or result fails the run.
#
# Knobs (environment): REPS (timed repetitions, default 5), SIZES (default
# "1000 10000"), SLOW_SIZES (sizes with the 5 ms receiver, default
# "1000 2000": sequential sends take 5 ms each), MEM_N (rows of the memory
# comparison, default 100000), MEM_REPS (default 1), QUICK=1 (a smoke run:
# small sizes, 2 repetitions, report in ${TMPDIR:-/tmp}/fluxpd-bench-quick.md,
# bench/results untouched).
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-5}
SIZES=${SIZES:-"1000 10000"}
SLOW_SIZES=${SLOW_SIZES:-"1000 2000"}
LATENCY=${LATENCY:-5ms}
MEM_N=${MEM_N:-100000}
MEM_REPS=${MEM_REPS:-1}
NAME=latest
OUT=bench/results
if [[ "${QUICK:-}" == 1 ]]; then
	REPS=2 SIZES="100 300" SLOW_SIZES="20 40" MEM_N=2000 NAME=fluxpd-bench-quick OUT=${TMPDIR:-/tmp}
fi
mkdir -p bin "$OUT"

echo "building fluxpdbench, upstreambench, benchreport" >&2
go build -o bin/fluxpdbench ./bench/cmd/fluxpdbench
# -mod=mod: bench/upstream uses this module through a replace, so a new
# import here can need a new go.sum line there.
(cd bench/upstream && go build -mod=mod -o ../../bin/upstreambench ./cmd/upstreambench)
go build -o bin/benchreport ./bench/cmd/benchreport

raw="$OUT/$NAME.jsonl.tmp"
log="$OUT/$NAME.log.tmp"
: >"$raw"
: >"$log"
start=$SECONDS
# The machine may be shared: the report shows the load around the run.
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
export BENCH_DATE BENCH_COMMIT
BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
BENCH_COMMIT=$(git describe --always --dirty 2>/dev/null || echo unknown)

# run BIN ARGS...: one scenario in its own process, bounded in time.
run() {
	local bin=$1
	shift
	printf '%4ds  %s %s\n' $((SECONDS - start)) "$bin" "$*" >&2
	if ! timeout 900 "bin/$bin" -reps "$REPS" "$@" >>"$raw" 2>>"$log"; then
		echo "FAILED: $bin $*" >&2
		tail -n 5 "$log" >&2
		exit 1
	fi
}

# The receiver answers at once.
for n in $SIZES; do
	run fluxpdbench -scenario floor -n "$n"
	run fluxpdbench -scenario mapconst -n "$n"
	run upstreambench -scenario mapconst -n "$n"
	run fluxpdbench -scenario sendevent -n "$n"
	run upstreambench -scenario sendevent -n "$n"
	run fluxpdbench -scenario endpoint -concurrency 1 -n "$n"
	run fluxpdbench -scenario endpoint -n "$n"
	run upstreambench -scenario endpoint -n "$n"
done

# What the emulator would cost as the receiver (the floor against it).
for n in $SIZES; do
	run fluxpdbench -scenario floor -emulator -n "$n"
done

# The receiver waits 5 ms before answering, a realistic round trip.
for n in $SLOW_SIZES; do
	slow=(-latency "$LATENCY" -warmup 50 -n "$n")
	run fluxpdbench -scenario floor "${slow[@]}"
	run fluxpdbench -scenario floor -concurrency 8 "${slow[@]}"
	run fluxpdbench -scenario sendevent "${slow[@]}"
	run upstreambench -scenario sendevent "${slow[@]}"
	run fluxpdbench -scenario endpoint -concurrency 1 "${slow[@]}"
	run fluxpdbench -scenario endpoint "${slow[@]}"
	run upstreambench -scenario endpoint "${slow[@]}"
done

# Peak RSS: endpoint() against the same pipeline without sending, with a
# receiver that keeps nothing.
REPS=$MEM_REPS run fluxpdbench -scenario nosend -inline -warmup 0 -n "$MEM_N"
REPS=$MEM_REPS run fluxpdbench -scenario endpoint -inline -warmup 0 -n "$MEM_N"

BENCH_LOAD="before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" \
	BENCH_SECONDS=$((SECONDS - start)) bin/benchreport <"$raw" >"$OUT/$NAME.md.tmp"
mv "$raw" "$OUT/$NAME.jsonl"
mv "$OUT/$NAME.md.tmp" "$OUT/$NAME.md"
rm -f "$log"
cat "$OUT/$NAME.md"
echo >&2
echo "bench: done in $((SECONDS - start)) s; wrote $OUT/$NAME.md and $OUT/$NAME.jsonl" >&2

# fluxpd relay (issue 21): accept throughput, drain and memory, in its own
# report (bench/results/relay-latest.md; QUICK=1 passes through).
bash bench/relay.sh
