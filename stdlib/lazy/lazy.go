// Package lazy links the Flux standard library with fluxpd's native
// pagerduty package, like package builtin, but finalizes the builtins only
// when Finalize is first called instead of at init.
//
// Finalizing costs several CPU-seconds (type inference of the whole standard
// library, nearly all of it the universe package). A program that runs Flux
// only some of the time, such as the fluxpd command whose "version" and
// "emulator" never compile a script, imports this package and calls Finalize
// right before it first compiles or runs a script. A program that always runs
// Flux may import github.com/fluxpd/fluxpd/stdlib/builtin instead, which
// calls Finalize at init.
//
// As with package builtin, never also import github.com/influxdata/flux/builtin
// or github.com/influxdata/flux/stdlib: they register upstream's pagerduty
// package a second time.
package lazy

import (
	"runtime/debug"
	"sync"

	"github.com/influxdata/flux"

	_ "github.com/fluxpd/fluxpd/stdlib" // the standard library, with our pagerduty
)

var once sync.Once

// Finalize finalizes the Flux builtins (flux.FinalizeBuiltIns) unless they
// already are. It is safe to call any number of times from any goroutine:
// the first call does the work, later and concurrent calls wait for it to
// finish. Once it has returned, scripts can be compiled and run.
//
// Finalize does not watch any context: Flux's type inference cannot be
// interrupted. A caller that must stay responsive runs it in a goroutine.
func Finalize() {
	once.Do(func() {
		if finalized() {
			return
		}
		defer relaxGC()()
		flux.FinalizeBuiltIns()
	})
}

// startupGCPercent is the GC target while the builtins are finalized. Type
// inference allocates about 1.7 GB of short-lived garbage over a live heap
// of about 5 MB: at the default GOGC=100 that is some 340 collections. At 400,
// fluxpd run of a trivial script took a median of 3.0 CPU-seconds (2.7 s
// wall) instead of 4.2 (3.3 s wall) over 5 runs on a shared 2-core machine
// (3.2 instead of 4.5 in a second series), for 50-75 MB of peak RSS instead
// of 32-38 MB. GOGC=1000 saved a little more for 85-90 MB; a 256 MB
// memory limit with GOGC=off saved less and held 260 MB.
const startupGCPercent = 400

// relaxGC raises the GC target to startupGCPercent (runtime/debug.SetGCPercent)
// and returns the function that restores it. A program that already collects
// less often (a higher GOGC, or GOGC=off) keeps its setting; GOMEMLIMIT is
// honoured throughout, as always.
func relaxGC() (restore func()) {
	old := debug.SetGCPercent(startupGCPercent)
	if old < 0 || old >= startupGCPercent {
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() { debug.SetGCPercent(old) }
}

// finalized reports whether someone already called flux.FinalizeBuiltIns
// (Flux v0.65.1 has no exported test for it: Prelude panics before).
func finalized() (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	flux.Prelude()
	return true
}
