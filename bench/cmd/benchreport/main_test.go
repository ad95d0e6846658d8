package main

import (
	"testing"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"odd", []float64{3, 1, 2}, 2},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"one", []float64{7}, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestExtraCost_CancelsFixedCosts(t *testing.T) {
	// 50 ms of fixed cost and 100 µs and 10 allocations per event.
	rep := func(n int) harness.Rep {
		return harness.Rep{Nanos: int64(50e6 + n*100e3), Mallocs: uint64(5000 + 10*n), Bytes: uint64(1000 * n)}
	}
	small := newRun(harness.Result{N: 1000, Reps: []harness.Rep{rep(1000)}})
	large := newRun(harness.Result{N: 10000, Reps: []harness.Rep{rep(10000)}})
	e := extraCost(small, large)
	if e.us != 100 || e.allocs != 10 || e.bytes != 1000 {
		t.Errorf("extraCost() = %+v, want 100 µs, 10 allocs, 1000 bytes", e)
	}
	if got := ratio(small.usPerEvent(), large.usPerEvent()); got != "1.43×" {
		t.Errorf("µs/event ratio = %s, want 1.43× (fixed cost spread over fewer events)", got)
	}
}
