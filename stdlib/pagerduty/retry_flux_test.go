package pagerduty_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
)

// TestSendEvent_FaultMatrix_500Then202 is the first row of the fault matrix
// (internal/delivery/faultmatrix_test.go) through Flux: sendEvent meets a 500,
// retries, and the event reaches the emulator exactly once. The 500 carries
// Retry-After: 0 so that the retry is not held back by the real backoff
// (base 1s, full jitter), which a script cannot shorten.
func TestSendEvent_FaultMatrix_500Then202(t *testing.T) {
	emu := emulatortest.New(t)
	emu.Inject(emulator.Fault{Status: 500, Header: map[string]string{"Retry-After": "0"}})
	src := script(
		"status = "+call("sendEvent", triggerArgs(emu.EventsURL()).with("dedupKey", `"srv01/HTTP"`)),
		"status",
		"status == 202",
	)
	began := time.Now()
	if out := mustRun(t, time.Time{}, src); out != "202\ntrue\n" {
		t.Errorf("script printed %q, want %q", out, "202\ntrue\n")
	}
	if elapsed := time.Since(began); elapsed > 5*time.Second {
		t.Errorf("the script took %v, want the retry at once (Retry-After: 0)", elapsed)
	}

	reqs := emu.Requests()
	var verdicts []emulator.Verdict
	for _, r := range reqs {
		verdicts = append(verdicts, r.Verdict)
		if string(r.Body) != string(reqs[0].Body) {
			t.Errorf("request #%d carried a different body than request #1", r.ID)
		}
	}
	if diff := cmp.Diff([]emulator.Verdict{emulator.VerdictFault, emulator.VerdictAccepted}, verdicts); diff != "" {
		t.Errorf("emulator verdicts mismatch (-want +got):\n%s", diff)
	}

	type alertView struct {
		DedupKey, Status string
		Count            int
	}
	var got []alertView
	for _, a := range emu.Alerts() {
		got = append(got, alertView{a.DedupKey, a.Status, a.Count})
	}
	want := []alertView{{"srv01/HTTP", emulator.StatusTriggered, 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("emulator alerts mismatch (-want +got):\n%s", diff)
	}
}
