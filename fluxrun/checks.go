package fluxrun

import (
	"errors"
	"sync"

	"github.com/influxdata/flux/ast"
)

// A ScriptCheck looks for mistakes in a parsed script before it is
// evaluated, such as a misspelled parameter of a package's function, and
// returns them in one error that says where they are and how to fix them.
// fluxpd's pagerduty registers one (its WithScript runs the same check for
// hosts that do not use fluxrun).
type ScriptCheck func(pkg *ast.Package) error

var (
	checksMu sync.RWMutex
	checks   []ScriptCheck
)

// RegisterScriptCheck adds c to the checks every Runner applies to a
// script before evaluating it. They also see a script that fails to parse
// only because a pipe's destination is not a call (data |> f), with the
// call added (data |> f()), so that their message can say what to write
// instead. Packages call it from init.
func RegisterScriptCheck(c ScriptCheck) {
	checksMu.Lock()
	defer checksMu.Unlock()
	checks = append(checks, c)
}

// runChecks applies the registered checks, joining their errors.
func runChecks(pkg *ast.Package) error {
	checksMu.RLock()
	defer checksMu.RUnlock()
	var errs []error
	for _, c := range checks {
		errs = append(errs, c(pkg))
	}
	return errors.Join(errs...)
}
