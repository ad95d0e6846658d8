package fluxrun_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/influxdata/flux"

	"github.com/fluxpd/fluxpd/fluxrun"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin"
)

// TestRunner_FromExplained checks that a script reading storage with from()
// fails with an error that says why and what to do, whether from() is
// executed as the script's result or read by findRecord or tableFind while
// the script is evaluated.
func TestRunner_FromExplained(t *testing.T) {
	tests := []struct{ name, script string }{
		{"result", `from(bucket: "telegraf/autogen") |> range(start: -5m)`},
		{"yield", `from(bucket: "telegraf/autogen") |> range(start: -5m) |> yield(name: "statuses")`},
		{"findRecord", `r = from(bucket: "telegraf/autogen") |> range(start: -5m) |> last() |> findRecord(fn: (key) => true, idx: 0)
r._value`},
		{"tableFind", `from(bucket: "telegraf/autogen") |> range(start: -5m) |> tableFind(fn: (key) => true) |> getColumn(column: "_value")`},
	}
	want := []string{
		"from() reads InfluxDB's storage, and fluxpd run has none",
		"csv.from(csv: ...)",
		"--now",
		"bin/influxd-fluxpd",
		"bin/influxd2-fluxpd",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fluxrun.Runner{Deps: flux.NewDefaultDependencies()}
			err := r.Run(context.Background(), "script.flux", tt.script)
			if err == nil {
				t.Fatal("got no error")
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "unsupported source kind") {
				t.Errorf("error still shows the executor's message:\n%v", err)
			}
			var ferr *flux.Error
			if !errors.As(err, &ferr) {
				t.Errorf("error is a %T, want a *flux.Error", err)
			}
		})
	}
}

// TestRunner_OtherErrorsUnchanged checks that only from()'s error is
// turned: another failure keeps Flux's own message.
func TestRunner_OtherErrorsUnchanged(t *testing.T) {
	r := &fluxrun.Runner{Deps: flux.NewDefaultDependencies()}
	err := r.Run(context.Background(), "script.flux", `import "csv"
csv.from(csv: "not csv")`)
	if err == nil {
		t.Fatal("got no error")
	}
	if strings.Contains(err.Error(), "storage") {
		t.Errorf("a csv error was turned into the from() message:\n%v", err)
	}
}
