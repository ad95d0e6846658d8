#!/usr/bin/env bash
# bench/where.sh: where the time of sendEvent in map() goes, per event
# (bench/README.md, "Where the time of sendEvent in map() goes"). Runs
# the floor, map() alone and sendEvent in map() with a CPU profile each,
# the floor again touching TOUCH KiB of memory before every post (a
# control: the same exchange with cold caches), and TRACES traced
# repetitions of the floor and of sendEvent, one after the other, and
# prints what bench/cmd/benchwhere makes of them. About 5 minutes on 2
# CPUs.
#
# Knobs (environment): N (rows, default 10000), REPS (profiled
# repetitions, default 10), TRACE_N (rows of a traced repetition,
# default 5000), TRACES (traced repetitions of each, default 3), TOUCH (KiB, default 32), FLUXPDBENCH (a fluxpdbench
# binary to measure instead of building this checkout's, e.g. an older
# commit's), OUT (where the profiles go, default
# ${TMPDIR:-/tmp}/fluxpd-where).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-10000}
REPS=${REPS:-10}
TRACE_N=${TRACE_N:-5000}
TRACES=${TRACES:-3}
TOUCH=${TOUCH:-32}
OUT=${OUT:-${TMPDIR:-/tmp}/fluxpd-where}
mkdir -p bin "$OUT"
bench=${FLUXPDBENCH:-bin/fluxpdbench}
if [[ -z "${FLUXPDBENCH:-}" ]]; then
	go build -o bin/fluxpdbench ./bench/cmd/fluxpdbench
fi
go build -o bin/benchwhere ./bench/cmd/benchwhere

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown; }

# profile NAME ARGS...: one profiled run of fluxpdbench ARGS, as NAME.
profile() {
	local name=$1
	shift
	echo "== $name: CPU profile of $REPS × $N events (load before: $(load))"
	"$bench" "$@" -n "$N" -reps "$REPS" -cpuprofile "$OUT/$name.cpu" >"$OUT/$name.json" 2>/dev/null
	go tool pprof -traces "$bench" "$OUT/$name.cpu" >"$OUT/$name.stacks" 2>/dev/null
	bin/benchwhere cpu -events $((N * REPS)) -result "$OUT/$name.json" "$OUT/$name.stacks"
}

profile floor -scenario floor
profile mapconst -scenario mapconst
profile sendevent -scenario sendevent
if [[ -n "$TOUCH" && "$TOUCH" != 0 ]]; then
	profile floor-touch -scenario floor -touch "$TOUCH"
fi

for i in $(seq "$TRACES"); do
	for s in floor sendevent; do
		echo "== $s: trace $i of one repetition of $TRACE_N events (load before: $(load))"
		"$bench" -scenario "$s" -n "$TRACE_N" -reps 1 -trace "$OUT/$s-$i.trace" >/dev/null 2>&1
		go tool trace -d=parsed "$OUT/$s-$i.trace" >"$OUT/$s-$i.events" 2>/dev/null
	done
done
for s in floor sendevent; do
	echo "== $s: the critical path of $TRACES traced repetitions"
	bin/benchwhere trace -events "$TRACE_N" $(seq -f "$OUT/$s-%g.events" "$TRACES")
done
echo "(load after: $(load); profiles in $OUT)"
