// Package fluxtest runs the end-to-end tests written in Flux: every
// *_test.flux file in this directory, each against its own PagerDuty
// emulator on 127.0.0.1.
//
// A file holds v0.65.1 `test` statements. The runner points
// pagerduty.defaultURL at the emulator, appends one testing.run(case: ...)
// call per test, and on failure runs the file again with testing.inspect to
// log got, want and diff. Checks that only the emulator can tell (which
// alerts exist, in what state) are in emulatorChecks, keyed by file.
package fluxtest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/ast"
	"github.com/influxdata/flux/dependencies/url"
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/fluxrun"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// skip lists files that are not run, each with a reason and a link.
var skip = map[string]string{}

func TestFluxEndToEnd(t *testing.T) {
	files, err := filepath.Glob("*_test.flux")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no *_test.flux files found")
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), "_test.flux")
		t.Run(name, func(t *testing.T) {
			if reason, ok := skip[name]; ok {
				t.Skip(reason)
			}
			emu := emulatortest.New(t)
			if err := runFile(t, path, emu); err != nil {
				t.Error(err)
			}
			if check, ok := emulatorChecks[name]; ok {
				check(t, emu)
			}
		})
	}
}

// TestRunner_WrongWantFails proves the runner can fail: a test whose want
// does not match what the function produces must be reported.
func TestRunner_WrongWantFails(t *testing.T) {
	emu := emulatortest.New(t)
	if err := runFile(t, filepath.Join("testdata", "wrong_want.flux"), emu); err == nil {
		t.Fatal("a test with a wrong want passed")
	}
}

// runFile runs every test of one file, each in its own query (testing.run
// yields results named got, want and diff, which may appear once per
// query), and on failure logs what testing.inspect shows.
func runFile(t *testing.T, path string, emu *emulator.Server) error {
	t.Helper()
	file := parseFile(t, path)
	var errs []error
	for _, name := range testNames(file) {
		err := execute(runPackage(file, emu, "run", name), nil)
		if err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
		var out bytes.Buffer
		if ierr := execute(runPackage(file, emu, "inspect", name), &out); ierr != nil {
			t.Logf("testing.inspect of %s failed too: %v", name, ierr)
		}
		t.Logf("testing.inspect of %s in %s:\n%s", name, path, out.String())
	}
	if len(errs) == 0 && len(testNames(file)) == 0 {
		return fmt.Errorf("%s has no test statement", path)
	}
	return errors.Join(errs...)
}

func execute(pkg *ast.Package, out *bytes.Buffer) error {
	r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.Deps{Deps: flux.WrappedDeps{
		HTTPClient:   &http.Client{Transport: loopbackOnly{}},
		URLValidator: url.PassValidator{},
	}}}
	if out != nil {
		r.Results = fluxrun.Table{W: out}
	}
	return r.RunAST(context.Background(), pkg)
}

func parseFile(t *testing.T, path string) *ast.File {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pkg := parser.ParseSource(string(src))
	if ast.Check(pkg) > 0 {
		t.Fatalf("%s: %v", path, ast.GetError(pkg))
	}
	f := pkg.Files[0]
	f.Name = filepath.Base(path)
	return f
}

// runPackage builds the package that runs one test: the test file as
// package main, pointed at the emulator, and a testing.<fn> call.
func runPackage(file *ast.File, emu *emulator.Server, fn, test string) *ast.Package {
	file = file.Copy().(*ast.File)
	file.Package = nil
	if !imports(file, "pagerduty") {
		// Importing a package twice makes Flux v0.65.1's type inference of
		// polymorphic parameters nondeterministic: add it only when missing.
		file.Imports = append(file.Imports, &ast.ImportDeclaration{Path: &ast.StringLiteral{Value: "pagerduty"}})
	}
	file.Body = append(emulatorOptions(emu), file.Body...)
	return &ast.Package{Package: "main", Files: []*ast.File{file, testingCall(fn, test)}}
}

func imports(file *ast.File, path string) bool {
	for _, imp := range file.Imports {
		if imp.Path.Value == path {
			return true
		}
	}
	return false
}

// emulatorOptions returns the statements that point pagerduty's default
// URLs at the emulator, placed first in the test file as a user would write
// them.
func emulatorOptions(emu *emulator.Server) []ast.Statement {
	src := `import "pagerduty"
option pagerduty.defaultURL = "` + emu.EventsURL() + `"
option pagerduty.defaultChangeURL = "` + emu.ChangeURL() + `"
`
	return parser.ParseSource(src).Files[0].Body
}

// testNames lists the test statements of file, in order.
func testNames(file *ast.File) []string {
	var names []string
	for _, st := range file.Body {
		if tc, ok := st.(*ast.TestStatement); ok {
			names = append(names, tc.Assignment.ID.Name)
		}
	}
	return names
}

// testingCall returns a file calling testing.<fn>(case: test).
func testingCall(fn, test string) *ast.File {
	return &ast.File{
		Imports: []*ast.ImportDeclaration{{Path: &ast.StringLiteral{Value: "testing"}}},
		Body: []ast.Statement{&ast.ExpressionStatement{Expression: &ast.CallExpression{
			Callee: &ast.MemberExpression{Object: &ast.Identifier{Name: "testing"}, Property: &ast.Identifier{Name: fn}},
			Arguments: []ast.Expression{&ast.ObjectExpression{Properties: []*ast.Property{{
				Key: &ast.Identifier{Name: "case"}, Value: &ast.Identifier{Name: test},
			}}}},
		}}},
	}
}

// loopbackOnly refuses every request that is not for 127.0.0.1, so no test
// can reach PagerDuty or any other outside address, whatever a script says.
type loopbackOnly struct{}

func (loopbackOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.URL.Hostname(); h != "127.0.0.1" {
		return nil, fmt.Errorf("test refused a request to %s: tests only talk to 127.0.0.1", h)
	}
	return http.DefaultTransport.RoundTrip(req)
}
