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

func main() {
	harness.DefaultConcurrency = pagerduty.DefaultConcurrency
	os.Exit(harness.Main("fluxpd", os.Args[1:], os.Stdout, os.Stderr))
}
