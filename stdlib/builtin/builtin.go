// Package builtin imports the Flux standard library with fluxpd's native
// pagerduty package and finalizes the builtins at init.
//
// Embedders import this package instead of github.com/influxdata/flux/builtin:
// that one also registers upstream's pagerduty package, and the two together
// make start-up panic with a duplicate package. Likewise never import
// github.com/influxdata/flux/stdlib.
//
// Finalizing costs several CPU-seconds at init. A program that does not
// always run Flux imports github.com/fluxpd/fluxpd/stdlib/lazy instead and
// calls lazy.Finalize right before it first compiles a script.
//
// This should only be imported from main or test packages.
// It is a mistake to import it from any other package.
package builtin

import "github.com/fluxpd/fluxpd/stdlib/lazy" // the standard library, with our pagerduty

func init() {
	lazy.Finalize()
}
