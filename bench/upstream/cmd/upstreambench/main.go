// Command upstreambench runs one benchmark scenario on upstream Flux
// v0.65.1 with its own pagerduty package (its stdlib, through
// github.com/influxdata/flux/builtin) and prints the result as JSON, in
// the same form as fluxpdbench. It lives in its own module because both
// register a Flux package "pagerduty".
package main

import (
	"os"

	_ "github.com/influxdata/flux/builtin" // upstream's stdlib, pagerduty included

	"github.com/fluxpd/fluxpd/bench/internal/harness"
)

func main() {
	os.Exit(harness.Main("upstream", os.Args[1:], os.Stdout, os.Stderr))
}
