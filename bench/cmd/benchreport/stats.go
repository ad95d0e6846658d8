package main

import (
	"fmt"
	"math"
	"slices"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

// run is one benchmark process's result with its figures derived.
type run struct {
	harness.Result
	medNs, minNs        float64 // per repetition
	medMallocs, medByte float64 // per repetition
}

func newRun(r harness.Result) *run {
	x := &run{Result: r}
	var ns, mallocs, bytes []float64
	for _, rep := range r.Reps {
		ns = append(ns, float64(rep.Nanos))
		mallocs = append(mallocs, float64(rep.Mallocs))
		bytes = append(bytes, float64(rep.Bytes))
	}
	x.medNs, x.minNs = median(ns), slices.Min(ns)
	x.medMallocs, x.medByte = median(mallocs), median(bytes)
	return x
}

func (r *run) n() float64             { return float64(r.N) }
func (r *run) usPerEvent() float64    { return r.medNs / 1e3 / r.n() }
func (r *run) minUsPerEvent() float64 { return r.minNs / 1e3 / r.n() }
func (r *run) eventsPerSec() float64  { return r.n() / (r.medNs / 1e9) }
func (r *run) allocsPerEvent() float64 {
	return r.medMallocs / r.n()
}
func (r *run) bytesPerEvent() float64 { return r.medByte / r.n() }
func (r *run) rssMiB() float64        { return float64(r.VmHWMKiB) / 1024 }

// extra is the cost of one more event: the difference between two sizes
// of the same scenario, so that fixed costs (compiling the script,
// starting the query) cancel.
type extra struct {
	us, minUs, allocs, bytes float64
}

func extraCost(small, large *run) extra {
	dn := large.n() - small.n()
	return extra{
		us:     (large.medNs - small.medNs) / 1e3 / dn,
		minUs:  (large.minNs - small.minNs) / 1e3 / dn,
		allocs: (large.medMallocs - small.medMallocs) / dn,
		bytes:  (large.medByte - small.medByte) / dn,
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// ratio formats a/b as "1.23×", or "—" when there is nothing to compare.
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// num formats a figure with a precision that suits its size.
func num(x float64) string {
	switch ax := math.Abs(x); {
	case math.IsNaN(x):
		return "—"
	case ax >= 100:
		return fmt.Sprintf("%.0f", x)
	case ax >= 10:
		return fmt.Sprintf("%.1f", x)
	default:
		return fmt.Sprintf("%.2f", x)
	}
}
