// Package builtin imports the Flux standard library with fluxpd's native
// pagerduty package and finalizes the builtins.
//
// Embedders import this package instead of github.com/influxdata/flux/builtin:
// that one also registers upstream's pagerduty package, and the two together
// make start-up panic with a duplicate package. Likewise never import
// github.com/influxdata/flux/stdlib.
//
// This should only be imported from main or test packages.
// It is a mistake to import it from any other package.
package builtin

import (
	"github.com/influxdata/flux"

	_ "github.com/fluxpd/fluxpd/stdlib" // the standard library, with our pagerduty
)

func init() {
	flux.FinalizeBuiltIns()
}
