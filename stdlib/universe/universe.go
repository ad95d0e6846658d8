// Package universe backports to Flux v0.65.1 and v0.67.0 the universe
// functions findRecord and findColumn, which arrived in Flux v0.68:
//
//	findRecord = (fn, idx, tables=<-) => tables |> tableFind(fn) |> getRecord(idx)
//	findColumn = (fn, column, tables=<-) => tables |> tableFind(fn) |> getColumn(column)
//
// Like every universe value, they need no import. Importing this package
// registers them; github.com/fluxpd/fluxpd/stdlib and
// github.com/fluxpd/fluxpd/stdlib/pagerduty import it, so every host that
// links fluxpd's pagerduty package has them.
//
// Flux v0.65.1 accepts a universe builtin only if the universe package's
// source declares it (flux.FinalizeBuiltIns fails with "extra builtin
// values" otherwise), and it offers no API to add source to a registered
// package. So init appends one more file, find.flux, to the syntax tree
// upstream's universe package registered, before the builtins are
// finalized. On a Flux whose universe already declares the two functions
// (v0.68 and later), this package does nothing.
package universe

import (
	_ "embed"
	"fmt"
	_ "unsafe" // go:linkname, to reach the universe syntax tree

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"
	fluxuniverse "github.com/influxdata/flux/stdlib/universe"
)

// pkgPath is the import path of Flux's universe package.
const pkgPath = "universe"

//go:embed find.flux
var source string

// universeAST is the syntax tree that upstream's universe package (its
// generated flux_gen.go, same name in v0.65.1 and v0.67.0) hands to
// flux.RegisterPackage. The import of fluxuniverse guarantees it is
// initialized and registered before this package's init runs.
//
//go:linkname universeAST github.com/influxdata/flux/stdlib/universe.pkgAST
var universeAST *ast.Package

func init() {
	if !register(universeAST) {
		return
	}
	flux.RegisterPackageValue(pkgPath, findRecordName, findRecordFunc)
	flux.RegisterPackageValue(pkgPath, findColumnName, findColumnFunc)
}

// register appends find.flux to the universe syntax tree pkg, unless pkg
// already declares findRecord or findColumn, and reports whether it did.
// It panics when pkg is not the universe package, naming what it found.
func register(pkg *ast.Package) bool {
	if pkg == nil {
		panic("fluxpd/stdlib/universe: github.com/influxdata/flux/stdlib/universe has no pkgAST; this Flux version is not supported")
	}
	if pkg.Path != pkgPath {
		panic(fmt.Sprintf("fluxpd/stdlib/universe: github.com/influxdata/flux/stdlib/universe's pkgAST is package %q, not universe; this Flux version is not supported", pkg.Path))
	}
	if declares(pkg, findRecordName) || declares(pkg, findColumnName) {
		return false
	}
	pkg.Files = append(pkg.Files, parse())
	return true
}

// parse parses find.flux, panicking if it does not parse.
func parse() *ast.File {
	pkg := parser.ParseSource(source)
	if ast.Check(pkg) > 0 {
		panic(fmt.Sprintf("fluxpd/stdlib/universe: failed to parse find.flux: %v", ast.GetError(pkg)))
	}
	file := pkg.Files[0]
	file.Name = "find.flux"
	return file
}

// declares reports whether pkg defines name at the top level of any file.
func declares(pkg *ast.Package, name string) bool {
	for _, f := range pkg.Files {
		for _, st := range f.Body {
			switch st := st.(type) {
			case *ast.BuiltinStatement:
				if st.ID.Name == name {
					return true
				}
			case *ast.VariableAssignment:
				if st.ID.Name == name {
					return true
				}
			}
		}
	}
	return false
}

// The upstream builtins findRecord and findColumn call.
var (
	tableFind = fluxuniverse.NewTableFindFunction().Function()
	getRecord = fluxuniverse.NewGetRecordFunction().Function()
	getColumn = fluxuniverse.NewGetColumnFunction().Function()
)
