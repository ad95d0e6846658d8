package universe

import (
	"strings"
	"testing"

	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/parser"
)

// TestInit_AppendsOnce checks that init appended find.flux to upstream's
// universe syntax tree once, as the last file.
func TestInit_AppendsOnce(t *testing.T) {
	n := 0
	for _, f := range universeAST.Files {
		if f.Name == "find.flux" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("universe has find.flux %d times, want once", n)
	}
	if last := universeAST.Files[len(universeAST.Files)-1]; last.Name != "find.flux" {
		t.Errorf("the last universe file is %q, want find.flux", last.Name)
	}
}

// TestRegister_AlreadyDeclared checks that a Flux whose universe declares
// the functions itself (v0.68 and later) is left alone.
func TestRegister_AlreadyDeclared(t *testing.T) {
	for _, src := range []string{
		"package universe\nfindRecord = (fn, idx, tables=<-) => tables |> tableFind(fn) |> getRecord(idx)\n",
		"package universe\nbuiltin findColumn\n",
	} {
		pkg := parser.ParseSource(src)
		pkg.Path = pkgPath
		files := len(pkg.Files)
		if register(pkg) {
			t.Errorf("register appended to a universe that declares them:\n%s", src)
		}
		if len(pkg.Files) != files {
			t.Errorf("register changed the files of a universe that declares them:\n%s", src)
		}
	}
}

func TestRegister_Appends(t *testing.T) {
	pkg := parser.ParseSource("package universe\nbuiltin tableFind\n")
	pkg.Path = pkgPath
	if !register(pkg) {
		t.Fatal("register did not append")
	}
	if !declares(pkg, findRecordName) || !declares(pkg, findColumnName) {
		t.Errorf("after register the package declares findRecord %v, findColumn %v; want both",
			declares(pkg, findRecordName), declares(pkg, findColumnName))
	}
}

func TestRegister_NotUniverse(t *testing.T) {
	for _, pkg := range []*ast.Package{nil, {Path: "pagerduty"}} {
		func() {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, "this Flux version is not supported") {
					t.Errorf("register(%v) panicked with %v, want a message naming the cause", pkg, r)
				}
			}()
			register(pkg)
		}()
	}
}
