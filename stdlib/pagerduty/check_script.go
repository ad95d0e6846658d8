package pagerduty

import (
	"github.com/influxdata/flux/ast"

	"github.com/fluxpd/fluxpd/stdlib/pagerduty/scriptcheck"
)

// CheckScript returns every mistake in how pkg calls the package's
// functions (a misspelled parameter, a missing call of endpoint(), a
// field of mapFn's record endpoint does not read), with its line and the
// fix, in one error, or nil. Every host runs it once before the script is
// evaluated: fluxrun as its Runner.Check (also when a pipe's destination
// lacks its call), the InfluxDB builds before Prepare. See scriptcheck.
func CheckScript(pkg *ast.Package) error {
	return scriptcheck.Check(pkg, scriptcheck.Names{MapFn: argMapFn, Fields: eventFieldNames})
}
