package main

import (
	"fmt"
	"io"
	"math"
	"strings"
)

// memory compares endpoint's peak RSS with the same pipeline without
// sending, both run with a receiver that keeps nothing.
func memory(w io.Writer, s *set) {
	base := s.memoryRun("nosend")
	fprintf(w, "| pipeline | N | s/run median | peak RSS MiB | RSS ×no-send | allocs/row | KiB/row |\n")
	fprintf(w, "|---|--:|--:|--:|--:|--:|--:|\n")
	for _, sc := range []string{"nosend", "endpoint"} {
		r := s.memoryRun(sc)
		if r == nil {
			continue
		}
		fprintf(w, "| %s | %d | %s | %s | %s | %s | %s |\n", label(r), r.N, num(r.medNs/1e9), num(r.rssMiB()),
			cmp(r, base, (*run).rssMiB), num(r.allocsPerEvent()), num(r.bytesPerEvent()/1024))
	}
}

// memoryRun is the largest fluxpd run of scenario with the keep-nothing
// receiver.
func (s *set) memoryRun(scenario string) *run {
	rs := s.byKey[key{"fluxpd", scenario, 0, 0, true, false}]
	if len(rs) == 0 {
		return nil
	}
	return rs[len(rs)-1]
}

// verdict says whether ok, or that a figure is missing.
func verdict(ok, known bool) string {
	switch {
	case !known:
		return "not measured"
	case ok:
		return "met"
	}
	return "**missed**"
}

func targets(w io.Writer, s *set) {
	fprintf(w, "| target | measured | verdict |\n|---|---|---|\n")

	se, ok1 := s.extra(key{"fluxpd", "sendevent", 0, 0, false, false})
	fl, ok2 := s.extra(floorKey(key{}))
	up, ok3 := s.extra(key{"upstream", "sendevent", 0, 0, false, false})
	mc, _ := s.extra(key{"fluxpd", "mapconst", 0, 0, false, false})
	fprintf(w, "| fluxpd sendEvent per extra event ≤ 1.3× the floor | %s µs vs floor %s µs: **%s** (upstream: %s µs, %s; map() alone: %s µs) | %s |\n",
		num(se.us), num(fl.us), ratio(se.us, fl.us), num(up.us), ratio(up.us, fl.us), num(mc.us), verdict(se.us <= 1.3*fl.us, ok1 && ok2 && ok3))

	endpointTarget(w, s)

	allocTarget(w, s)

	base, ep := s.memoryRun("nosend"), s.memoryRun("endpoint")
	if base != nil && ep != nil {
		fprintf(w, "| endpoint() over %d rows: peak RSS ≤ 1.5× the same pipeline without sending | %s MiB vs %s MiB: **%s** | %s |\n",
			ep.N, num(ep.rssMiB()), num(base.rssMiB()), ratio(ep.rssMiB(), base.rssMiB()), verdict(ep.rssMiB() <= 1.5*base.rssMiB(), true))
	} else {
		fprintf(w, "| endpoint() peak RSS ≤ 1.5× without sending | — | not measured |\n")
	}
}

// allocTarget compares allocations per extra event of the send path:
// sendEvent in map() less map() alone (so Flux's per-row cost of map(),
// the same for both, cancels) less the receiver's own allocations.
func allocTarget(w io.Writer, s *set) {
	get := func(tool, sc string) (extra, bool) { return s.extra(key{tool, sc, 0, 0, false, false}) }
	fse, ok1 := get("fluxpd", "sendevent")
	fmc, ok2 := get("fluxpd", "mapconst")
	use, ok3 := get("upstream", "sendevent")
	umc, ok4 := get("upstream", "mapconst")
	recv := s.receiverAllocs()
	fNet, uNet := fse.allocs-fmc.allocs-recv, use.allocs-umc.allocs-recv
	fprintf(w, "| allocations per event of the send path ≤ ⅓ of upstream's | send path (sendEvent in map() − map() alone − receiver's %s): fluxpd %s vs upstream %s = **%s**; whole script per extra event: %s vs %s = %s | %s |\n",
		num(recv), num(fNet), num(uNet), ratio(fNet, uNet), num(fse.allocs), num(use.allocs), ratio(fse.allocs, use.allocs),
		verdict(fNet <= uNet/3, ok1 && ok2 && ok3 && ok4))
}

// receiverAllocs is the receiver's own allocations per request, averaged
// over the runs that calibrated it with the deferred check.
func (s *set) receiverAllocs() float64 {
	sum, n := 0.0, 0
	for _, r := range s.runs {
		if !r.Inline && r.Receiver != "emulator" && r.ReceiverAllocs > 0 {
			sum += r.ReceiverAllocs
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

const notes = `## How to read this

- Every scenario runs in its own process: Flux start-up (about 4 s) is excluded, and peak RSS
  (VmHWM from /proc/self/status at the end of the process) is that scenario's alone. RSS therefore
  includes the Flux runtime and the script's CSV text; "×floor" compares with a process that loads
  Flux as well but only runs the plain net/http loop.
- Each row is the median (and min) of the timed repetitions after an untimed warm-up. Only the
  send is timed: the script's evaluation and execution (not its parsing), or the floor's loop.
  Allocations and bytes are runtime.MemStats deltas (Mallocs, TotalAlloc) around the same part.
- "Cost of one more event" subtracts the smallest N from the largest, so that fixed costs
  (compiling the script, planning and starting the query) cancel.
- The receiver runs in the same process, on loopback, and shares the 2 CPUs with the sender. It
  gives PagerDuty's answers. While a sender is timed it only copies each body; after every
  repetition it checks every event (routing key, action, dedup key, payload, timestamp) and per
  dedup key that no resolve arrived before its trigger, and the harness checks that every result
  row reports success (status 202, or _sent "true"). Any difference fails the run. Its own
  allocations per request are measured separately (a raw-TCP client that allocates nothing) and
  are part of every sending row's allocs/event.
- Data: N rows from csv.from; one host in five has a trigger and then a resolve (same dedup key),
  the others one trigger. sendEvent and map() read one table; endpoint() reads one table per
  host (group key: _measurement, host), as a monitoring check's output, so that dedupKey() gives
  each host its own key. Scripts pass every URL explicitly (in Flux v0.65.1, option overrides do
  not reach package defaults inside map()).
- "map() alone" is the sendEvent script with a constant instead of the call: what Flux's map()
  costs per row whatever the function called. The memory baseline is endpoint's pipeline
  (csv.from, dedupKey(), a map() adding _sent, _status and _body with the receiver's very answer)
  without evaluating mapFn or sending; both run with a receiver that keeps nothing.
`

// endpointTarget compares endpoint()'s events per second, with its default
// concurrency and the slow receiver, with upstream's: at each size, and
// per extra event.
func endpointTarget(w io.Writer, s *set) {
	var parts, missed []string
	known := false
	for _, ms := range latencies(s) {
		fk, uk := key{"fluxpd", "endpoint", 0, ms, false, false}, key{"upstream", "endpoint", 0, ms, false, false}
		for _, r := range s.byKey[fk] {
			u := s.get(uk, r.N)
			if u == nil {
				continue
			}
			known = true
			x := r.eventsPerSec() / u.eventsPerSec()
			parts = append(parts, fmt.Sprintf("%g ms, N=%d: %s vs %s events/s = **%.1f×**", ms, r.N, num(r.eventsPerSec()), num(u.eventsPerSec()), x))
			if x < 8 {
				missed = append(missed, fmt.Sprintf("N=%d", r.N))
			}
		}
		fe, ok1 := s.extra(fk)
		ue, ok2 := s.extra(uk)
		if ok1 && ok2 {
			parts = append(parts, fmt.Sprintf("per extra event: %s vs %s µs = %.1f×", num(fe.us), num(ue.us), ue.us/fe.us))
		}
		if f8 := s.get(key{"fluxpd", "floor", 8, ms, false, false}, lastN(s.byKey[fk])); f8 != nil {
			if u := s.get(uk, f8.N); u != nil {
				parts = append(parts, fmt.Sprintf("ceiling (plain net/http, 8 at once): %.1f×", f8.eventsPerSec()/u.eventsPerSec()))
			}
		}
	}
	v := verdict(len(missed) == 0, known)
	if known && len(missed) > 0 {
		v = "**missed** at " + strings.Join(missed, ", ")
	}
	fprintf(w, "| fluxpd endpoint(), default concurrency, slow receiver: ≥ 8× upstream's events/s, per-key order kept | %s; no resolve ever overtook its trigger (checked in every repetition) | %s |\n",
		strings.Join(parts, "; "), v)
}

func lastN(rs []*run) int {
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1].N
}
