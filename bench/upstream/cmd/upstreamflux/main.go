// Command upstreamflux runs a Flux script on stock upstream Flux v0.65.1
// with its own stdlib and pagerduty package (github.com/influxdata/flux/builtin),
// the way a stock InfluxDB's Flux would: no fluxpd code sends anything. It
// is the "stock Flux" client of fluxpd relay's tests
// (integrations/relaytest), which point its pagerduty.sendEvent and
// pagerduty.endpoint at a relay.
//
//	upstreamflux SCRIPT.flux
//
// It prints the value of each top-level expression (sendEvent's status)
// and then the script's results as annotated CSV, on standard output. A
// script that fails exits 1 with Flux's error on standard error. Loopback
// URLs are allowed: the tests serve on 127.0.0.1.
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/influxdata/flux"
	_ "github.com/influxdata/flux/builtin" // upstream's stdlib, pagerduty included
	fluxhttp "github.com/influxdata/flux/dependencies/http"
	"github.com/influxdata/flux/dependencies/url"

	"github.com/fluxpd/fluxpd/fluxrun"
)

// maxResponseBytes caps what a script's HTTP calls read, as cmd/fluxpd does.
const maxResponseBytes = 100 << 20

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: upstreamflux SCRIPT.flux (runs the script on stock Flux v0.65.1)")
		return 2
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintf(stderr, "upstreamflux: %v\n", err)
		return 2
	}
	deps := flux.Deps{Deps: flux.WrappedDeps{
		HTTPClient:   fluxhttp.LimitHTTPBody(*fluxhttp.NewDefaultClient(), maxResponseBytes),
		URLValidator: url.PassValidator{},
	}}
	r := &fluxrun.Runner{Deps: deps, Values: stdout, Results: fluxrun.CSV{W: stdout}}
	if err := r.Run(context.Background(), args[0], string(src)); err != nil {
		fmt.Fprintf(stderr, "upstreamflux: %s: %v\n", args[0], err)
		return 1
	}
	return 0
}
