package main

import (
	"fmt"
	"io"
	"net/http"

	fluxhttp "github.com/influxdata/flux/dependencies/http"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// The built-in emulator stands in for PagerDuty in every command that sends
// events without --live ("fluxpd run", "fluxpd send"): these helpers start
// it, route PagerDuty's hosts to it and say what it received, so that the
// commands do all three alike.

// startStandIn starts the built-in emulator on addr, such as "127.0.0.1:0".
func startStandIn(addr string) (*emulator.Server, error) {
	emu, err := emulator.Start(addr, emulator.Options{})
	if err != nil {
		return nil, fmt.Errorf("cannot start the PagerDuty emulator: %w", err)
	}
	return emu, nil
}

// standInClient returns an HTTP client that sends every request for
// PagerDuty's hosts, and for the other hosts given, to emu, and lets other
// requests through.
func standInClient(emu *emulator.Server, hosts emulatedHosts) *http.Client {
	client := fluxhttp.NewDefaultClient()
	client.Transport = newRedirect(emu.URL(), hosts, client.Transport)
	return client
}

// writeStandInSummary says that the events went to the emulator, not to
// PagerDuty, and what it received.
func writeStandInSummary(w io.Writer, emu *emulator.Server) error {
	fmt.Fprintf(w, "\nPagerDuty emulator at %s (not the real PagerDuty; use --live to send for real):\n", emu.URL())
	return emu.WriteSummary(w)
}
