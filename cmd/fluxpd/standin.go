package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

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

// standInClient returns the HTTP client of a script run without --live:
// requests for PagerDuty's hosts go to emu, others pass (pagerduty calls
// are diverted by the binding, see standInURL).
func standInClient(emu *emulator.Server) *http.Client {
	client := fluxhttp.NewDefaultClient()
	client.Transport = newRedirect(emu.URL(), client.Transport)
	return client
}

// standInURL is where every event goes without --live: the emulator.
func standInURL(emu *emulator.Server) *url.URL {
	u, _ := url.Parse(emu.URL()) // the emulator's own URL always parses
	return u
}

// writeStandInSummary says that the events went to the emulator, not to
// PagerDuty, and what it received: every event with full, else at most
// maxExamples of them. It reports whether the list was complete.
func writeStandInSummary(w io.Writer, emu *emulator.Server, full bool) (complete bool, err error) {
	fmt.Fprintf(w, "\nPagerDuty emulator at %s (not the real PagerDuty; use --live to send for real):\n", emu.URL())
	var b strings.Builder
	if err := emu.WriteSummary(&b); err != nil {
		return false, err
	}
	lines := strings.SplitAfter(strings.TrimSuffix(b.String(), "\n"), "\n")
	if full || len(lines) <= maxExamples+1 { // the header and the events
		_, err := fmt.Fprintln(w, strings.TrimSuffix(b.String(), "\n"))
		return true, err
	}
	_, err = fmt.Fprintf(w, "%s\n  … and %d more (--summary full lists every event)\n",
		strings.TrimSuffix(strings.Join(lines[:maxExamples+1], ""), "\n"), len(lines)-maxExamples-1)
	return false, err
}
