package fluxtest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

// emulatorChecks holds, per *_test.flux file (named without the suffix),
// what the emulator must have seen once the file's tests ran.
var emulatorChecks = map[string]func(t *testing.T, emu *emulator.Server){
	"send_event": checkSendEvent,
	// Entries for dedupKey, endpoint, sendChangeEvent and links are in
	// pagerduty_checks_test.go.
	"endpoint":             checkEndpoint,
	"endpoint_invalid_row": checkEndpointInvalidRow,
	"send_change_event":    checkSendChangeEvent,
	"send_event_links":     checkSendEventLinks,
	"endpoint_time_order":  checkEndpointTimeOrder,
}

// alertSummary is the part of an alert the checks compare.
type alertSummary struct {
	DedupKey, Status, Severity, Source string
	Count                              int
}

func alertSummaries(emu *emulator.Server) []alertSummary {
	var out []alertSummary
	for _, a := range emu.Alerts() {
		out = append(out, alertSummary{DedupKey: a.DedupKey, Status: a.Status, Severity: a.Severity, Source: a.Source, Count: a.Count})
	}
	return out
}

func checkSendEvent(t *testing.T, emu *emulator.Server) {
	want := []alertSummary{
		{DedupKey: "web01", Status: emulator.StatusTriggered, Severity: "critical", Source: "web01", Count: 1},
		{DedupKey: "web02", Status: emulator.StatusTriggered, Severity: "warning", Source: "web02", Count: 1},
		{DedupKey: "web03", Status: emulator.StatusTriggered, Severity: "info", Source: "web03", Count: 1},
	}
	if diff := cmp.Diff(want, alertSummaries(emu)); diff != "" {
		t.Errorf("emulator alerts (-want +got):\n%s", diff)
	}
}
