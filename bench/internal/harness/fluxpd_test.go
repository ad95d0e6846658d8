package harness_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

// TestHarness_LinksNoFluxpdStdlib keeps the harness free of fluxpd's Flux
// packages: upstreambench links the harness beside upstream's stdlib, and
// two packages registering "pagerduty" make it panic at start.
func TestHarness_LinksNoFluxpdStdlib(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the harness's dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/fluxpd/fluxpd/bench/internal/harness").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	const stdlib = "github.com/fluxpd/fluxpd/stdlib/"
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, stdlib) {
			t.Errorf("the harness links %s; set what it needs from fluxpdbench instead (see harness.Check and harness.Prepare)", dep)
		}
	}
}

// TestBodies_AsFluxpdSends: the floor posts, for every row, the very body
// fluxpd's sendEvent sends for it, so that the floor is what any sender of
// the same events must pay.
func TestBodies_AsFluxpdSends(t *testing.T) {
	rows := harness.Rows(10)
	for i, body := range harness.Bodies(rows) {
		want, err := harness.FluxpdBody(rows[i])
		if err != nil {
			t.Fatal(err)
		}
		if string(body) != string(want) {
			t.Errorf("row %d: the floor posts\n%s\nfluxpd sends\n%s", i, body, want)
		}
	}
}
