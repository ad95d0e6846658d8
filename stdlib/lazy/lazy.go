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
		flux.FinalizeBuiltIns()
	})
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
