package fluxrun_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/influxdata/flux"
	"github.com/influxdata/flux/codes"
	"github.com/influxdata/flux/parser"

	"github.com/fluxpd/fluxpd/fluxrun"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin"
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// TestRunner_Diagnostics: mistakes Flux reports without a position ("unsupported
// expression <nil>"), with a duplicated one ("loc 3:3-3:4: invalid statement
// @3:3-3:4: ="), or without saying what to write, fail before the script
// runs with every mistake's line and column and the fix, as fluxpd run
// shows them.
func TestRunner_Diagnostics(t *testing.T) {
	tests := []struct{ name, script, want string }{
		{"no value at the end", "import \"pagerduty\"\ny = 1\nx = \n",
			"script.flux: line 3:1: the assignment to x has no value: write x = <expression>"},
		{"value missing at a line's end", "y = 1\nx =\nz = 2\n",
			"script.flux: line 2:1: the assignment to x has no value: write x = <expression> (Flux read z, on line 3, as its value)"},
		{"in a function", "f = (r) => {\n    a =\n    return a\n}\n",
			"script.flux: line 2:5: the assignment to a has no value: write a = <expression>"},
		{"option", "import \"pagerduty\"\noption pagerduty.defaultURL = \n",
			"script.flux: line 2:8: option pagerduty.defaultURL has no value: write option pagerduty.defaultURL = <expression>"},
		{"return", "f = () => {\n    return\n}\n",
			"script.flux: line 1:11: a return statement in the block starting here has no value: write return <expression>"},
		{"parse errors", "x = (1 + )\ny = {a: }\n",
			"script.flux: line 1:6: missing right hand side of expression\nscript.flux: line 2:6: missing property value"},
		{"position said once", "x = 1\ny = 2 3 = 4\n",
			"script.flux: line 2:9: invalid statement: ="},
		{"pipe into a name", "f = (tables=<-) => tables\nx = 1 |> f\n",
			"script.flux: line 2:10: the pipe's destination f is not a function call: write |> f(...)"},
		{"misspelled parameter", "import \"pagerduty\"\npagerduty.actionFromLevel(levle: \"crit\")\n",
			`script.flux: line 2:27: pagerduty.actionFromLevel has no parameter "levle" (did you mean level?); its parameters are level (required)`},
		{"endpoint's final call missing", "import \"pagerduty\"\nimport \"csv\"\n" +
			"csv.from(csv: \"\") |> pagerduty.endpoint(url: \"http://127.0.0.1:1/\")(mapFn: (r) => ({routingKey: r.key}))\n",
			"script.flux: line 3:22: cannot pipe into pagerduty.endpoint(url: ...)(mapFn: ...): it returns the function to pipe into; write |> pagerduty.endpoint(url: ...)(mapFn: ...)()"},
		{"endpoint not called", "import pd \"pagerduty\"\nimport \"csv\"\ncsv.from(csv: \"\") |> pd.endpoint\n",
			"script.flux: line 3:22: the pipe's destination pd.endpoint is not a function call\n" +
				"script.flux: line 3:22: cannot pipe into pd.endpoint(): pd.endpoint()(mapFn: ...) returns the function to pipe into; write |> pd.endpoint()(mapFn: ...)()"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.NewDefaultDependencies()}
			err := r.Run(context.Background(), "script.flux", tt.script)
			assertInvalid(t, err, tt.want)
		})
	}
}

// TestRunner_RunASTDiagnostics: RunAST reports the same, without a name.
func TestRunner_RunASTDiagnostics(t *testing.T) {
	r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.NewDefaultDependencies()}
	err := r.RunAST(context.Background(), parser.ParseSource("y = 1\nx = \n"))
	assertInvalid(t, err, "line 2:1: the assignment to x has no value: write x = <expression>")
}

// TestRunner_ValueOnNextLine: an assignment whose value starts on the next
// line is correct Flux and runs.
func TestRunner_ValueOnNextLine(t *testing.T) {
	var out bytes.Buffer
	r := &fluxrun.Runner{Check: pagerduty.CheckScript, Prepare: pagerduty.WithScript, Deps: flux.NewDefaultDependencies(), Values: &out}
	if err := r.Run(context.Background(), "script.flux", "x =\n    41\nx + 1\n"); err != nil {
		t.Fatalf("the script failed: %v", err)
	}
	if got, want := out.String(), "42\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
}

func assertInvalid(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want:\n%s", want)
	}
	var ferr *flux.Error
	if !errors.As(err, &ferr) || ferr.Code != codes.Invalid {
		t.Errorf("error is %T %v, want a *flux.Error with code Invalid", err, err)
	}
	if got := err.Error(); got != want {
		t.Errorf("error:\n got %s\nwant %s", got, want)
	}
}
