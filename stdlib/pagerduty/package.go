// Package pagerduty is fluxpd's native implementation of the Flux package
// "pagerduty": pagerduty.flux declares the package, its options and Flux
// helpers, and the Go builtins beside it read Flux arguments and hand them
// to fluxpd's Flux-free core.
//
// Importing this package registers "pagerduty" with the Flux runtime. Do not
// import github.com/influxdata/flux/stdlib or .../flux/builtin alongside it:
// both register upstream's package at the same path.
package pagerduty

import (
	_ "embed"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/execute"
	"github.com/influxdata/flux/parser"
	"github.com/influxdata/flux/plan"
	"github.com/influxdata/flux/semantic"
	"github.com/influxdata/flux/values"

	"github.com/fluxpd/fluxpd/stdlib/pagerduty/scriptcheck"

	// findRecord and findColumn (Flux v0.68), which the documented
	// sendEvent examples use: hosts that link only this package, such as
	// the InfluxDB builds in integrations/, get them too.
	_ "github.com/fluxpd/fluxpd/stdlib/universe"
)

// pkgPath is the import path of the package in Flux scripts.
const pkgPath = scriptcheck.Path

//go:embed pagerduty.flux
var source string

func init() {
	flux.RegisterPackage(parse())
	for _, b := range []struct {
		name  string
		value values.Value
	}{
		{"sendEvent", sendEventFunc},
		{"sendChangeEvent", sendChangeEventFunc},
		{"severityFromLevel", severityFromLevelFunc},
		{"actionFromLevel", actionFromLevelFunc},
		{"actionFromSeverity", actionFromSeverityFunc},
		{"dedupKey", tableFunction{dedupKeyFunc.(values.Function)}},
		{"_endpoint", tableFunction{endpointFunc.(values.Function)}},
	} {
		flux.RegisterPackageValue(pkgPath, b.name, b.value)
	}
	registerTransformation(DedupKeyKind, func() flux.OperationSpec { return new(dedupKeyOpSpec) }, newDedupKeyProcedure, createDedupKeyTransformation)
	registerTransformation(EndpointKind, func() flux.OperationSpec { return new(endpointOpSpec) }, newEndpointProcedure, createEndpointTransformation)
}

// tableFunction is the value of a table function (flux.FunctionValue). Its
// Type() is nil when the signature has type variables, and Flux v0.67
// calls Nature() on it when it inlines the members of a package used in a
// function passed to map() (interpreter.resolveValue), which panics: a
// function without a monotype has the type Invalid.
type tableFunction struct{ wrapped }

// wrapped names the embedded function; a field named Function would hide
// its Function method.
type wrapped = values.Function

func (f tableFunction) Type() semantic.Type {
	if t := f.wrapped.Type(); t != nil {
		return t
	}
	return semantic.Invalid
}

// registerTransformation registers what a table function needs besides
// its value: its operation, procedure and transformation.
func registerTransformation(kind flux.OperationKind, newOpSpec flux.NewOperationSpec, newProcedure plan.CreateProcedureSpec, create execute.CreateTransformation) {
	flux.RegisterOpSpec(kind, newOpSpec)
	plan.RegisterProcedureSpec(plan.ProcedureKind(kind), newProcedure, kind)
	execute.RegisterTransformation(plan.ProcedureKind(kind), create)
}

// parse parses pagerduty.flux, panicking with the file name on a syntax
// error: a broken embedded package is a build defect, not a runtime state.
func parse() *ast.Package {
	pkg := parser.ParseSource(source)
	if ast.Check(pkg) > 0 {
		panic("fluxpd: stdlib/pagerduty/pagerduty.flux does not parse: " + ast.GetError(pkg).Error())
	}
	pkg.Path = pkgPath
	for _, f := range pkg.Files {
		f.Name = "pagerduty.flux"
	}
	return pkg
}

// anyTypes gives each named parameter a type variable of its own.
func anyTypes(names ...string) map[string]semantic.PolyType {
	p := make(map[string]semantic.PolyType, len(names))
	for i, name := range names {
		p[name] = semantic.Tvar(i + 1)
	}
	return p
}
