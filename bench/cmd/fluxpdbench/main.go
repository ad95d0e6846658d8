// Command fluxpdbench runs one benchmark scenario on fluxpd's pagerduty
// package and prints the result as JSON. bench/run.sh runs every scenario,
// each in its own process, and bench/cmd/benchreport tabulates them.
//
//	fluxpdbench -scenario floor|sendevent|endpoint|nosend -n 1000 [-reps 5] [-concurrency C] [-latency 5ms]
package main

import (
	"os"

	"github.com/fluxpd/fluxpd/bench/internal/harness"
	_ "github.com/fluxpd/fluxpd/stdlib/builtin" // the Flux stdlib with fluxpd's pagerduty
	"github.com/fluxpd/fluxpd/stdlib/pagerduty"
)

// init gives the harness what fluxpd's package needs, for main and the
// tests alike: every query is prepared as fluxpd's hosts prepare it, with
// a host that sends with the package defaults and tells no one.
func init() {
	harness.DefaultConcurrency = pagerduty.DefaultConcurrency
	harness.Check = pagerduty.CheckScript
	harness.Prepare = pagerduty.Prepare(pagerduty.Host{})
}

func main() {
	os.Exit(harness.Main("fluxpd", os.Args[1:], os.Stdout, os.Stderr))
}
