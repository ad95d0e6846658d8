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
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/fluxrun"
)

// pkgPath is the import path of the package in Flux scripts.
const pkgPath = "pagerduty"

//go:embed pagerduty.flux
var source string

func init() {
	flux.RegisterPackage(parse())
	flux.RegisterPackageValue(pkgPath, "sendEvent", sendEventFunc)
	flux.RegisterPackageValue(pkgPath, "sendChangeEvent", sendChangeEventFunc)
	registerLevels()
	registerDedupKey()
	registerEndpoint()
	fluxrun.RegisterContextHook(WithScript)
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
