package harness_test

import (
	"os/exec"
	"strings"
	"testing"
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
