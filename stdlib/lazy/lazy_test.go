package lazy

import (
	"runtime/debug"
	"sync"
	"testing"

	"github.com/influxdata/flux"
)

// TestFinalize checks that importing the package does not finalize Flux, and
// that Finalize may be called many times, concurrently, and restores the GC
// target it raised.
func TestFinalize(t *testing.T) {
	if finalized() {
		t.Fatal("Flux is finalized before Finalize: importing lazy must not pay Flux's start-up")
	}
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)

	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); Finalize() }()
	}
	wg.Wait()
	Finalize()
	if !finalized() {
		t.Fatal("Flux is not finalized after Finalize")
	}
	_ = flux.Prelude() // panics unless finalized
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent is %d after Finalize; want 100 restored", got)
	}
}

func TestRelaxGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	for _, tc := range []struct{ set, during int }{
		{100, startupGCPercent},
		{50, startupGCPercent},
		{1000, 1000}, // already collects less often: kept
		{-1, -1},     // GOGC=off: kept
	} {
		debug.SetGCPercent(tc.set)
		restore := relaxGC()
		during := debug.SetGCPercent(tc.during)
		restore()
		if during != tc.during {
			t.Errorf("GOGC=%d: %d during start-up; want %d", tc.set, during, tc.during)
		}
		if after := debug.SetGCPercent(tc.set); after != tc.set {
			t.Errorf("GOGC=%d: %d after start-up; want it restored", tc.set, after)
		}
	}
}
