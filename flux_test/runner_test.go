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

// runFile runs the tests of one file, and on failure logs what
// testing.inspect shows.
func runFile(t *testing.T, path string, emu *emulator.Server) error {
	t.Helper()
	file := parseFile(t, path)
	err := execute(runPackage(file, emu, "run"), nil)
	if err != nil {
		var out bytes.Buffer
		emu.Reset()
		if ierr := execute(runPackage(file, emu, "inspect"), &out); ierr != nil {
			t.Logf("testing.inspect failed too: %v", ierr)
		}
		t.Logf("testing.inspect of %s:\n%s", path, out.String())
	}
	return err
}

func execute(pkg *ast.Package, out *bytes.Buffer) error {
	r := &fluxrun.Runner{Deps: flux.Deps{Deps: flux.WrappedDeps{
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

// runPackage builds the package to run: the test file as package main,
// pointed at the emulator, and the testing.<fn> calls.
func runPackage(file *ast.File, emu *emulator.Server, fn string) *ast.Package {
	file = file.Copy().(*ast.File)
	file.Package = nil
	file.Imports = append(file.Imports, &ast.ImportDeclaration{Path: &ast.StringLiteral{Value: "pagerduty"}})
	file.Body = append(emulatorOptions(emu), file.Body...)
	return &ast.Package{Package: "main", Files: []*ast.File{file, testingCalls(file, fn)}}
}

// emulatorOptions returns the statements that point pagerduty's default
// URLs at the emulator, placed first in the test file as a user would write
// them.
func emulatorOptions(emu *emulator.Server) []ast.Statement {
	src := `import "pagerduty"
option pagerduty.defaultURL = "` + emu.EventsURL() + `"
`
	return parser.ParseSource(src).Files[0].Body
}

// testingCalls returns a file calling testing.<fn>(case: name) for every
// test statement in file.
func testingCalls(file *ast.File, fn string) *ast.File {
	calls := &ast.File{Imports: []*ast.ImportDeclaration{{Path: &ast.StringLiteral{Value: "testing"}}}}
	for _, st := range file.Body {
		tc, ok := st.(*ast.TestStatement)
		if !ok {
			continue
		}
		calls.Body = append(calls.Body, &ast.ExpressionStatement{Expression: &ast.CallExpression{
			Callee: &ast.MemberExpression{Object: &ast.Identifier{Name: "testing"}, Property: &ast.Identifier{Name: fn}},
			Arguments: []ast.Expression{&ast.ObjectExpression{Properties: []*ast.Property{{
				Key: &ast.Identifier{Name: "case"}, Value: tc.Assignment.ID,
			}}}},
		}})
	}
	return calls
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
