package fluxtest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

func init() {
	emulatorChecks["find_record"] = checkFindRecord
}

// checkFindRecord checks that the event find_record_test.flux built from
// findRecord's record reached the emulator as db01's crit trigger, with the
// last load in its summary.
func checkFindRecord(t *testing.T, emu *emulator.Server) {
	want := []alertSummary{
		{DedupKey: "db01", Status: emulator.StatusTriggered, Severity: "critical", Source: "db01", Count: 1},
	}
	if diff := cmp.Diff(want, alertSummaries(emu)); diff != "" {
		t.Errorf("emulator alerts (-want +got):\n%s", diff)
	}
	const wantSummary = "CPU load 9.75 on db01"
	for _, a := range emu.Alerts() {
		if a.Summary != wantSummary {
			t.Errorf("alert %q has summary %q, want %q", a.DedupKey, a.Summary, wantSummary)
		}
	}
}
