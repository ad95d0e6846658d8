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
// (base 1s, full jitter), which a script cannot shorten. How long the
// script takes is measured by BenchmarkSendEvent_500Then202, not judged
// here: a loaded machine may take any time.
func TestSendEvent_FaultMatrix_500Then202(t *testing.T) {
	emu := emulatortest.New(t)
	emu.Inject(emulator.Fault{Status: 500, Header: map[string]string{"Retry-After": "0"}})
	src := script(
		"status = "+call("sendEvent", triggerArgs(emu.EventsURL()).with("dedupKey", `"srv01/HTTP"`)),
		"status",
		"status == 202",
	)
	if out := mustRun(t, time.Time{}, src); out != "202\ntrue\n" {
		t.Errorf("script printed %q, want %q", out, "202\ntrue\n")
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

// BenchmarkSendEvent_500Then202 is the time of a script whose sendEvent
// meets a 500 with Retry-After: 0 and retries at once, as in
// TestSendEvent_FaultMatrix_500Then202 (which once failed beyond 5 s, a
// bound a loaded machine can pass): Flux's compilation, two requests and
// no backoff.
func BenchmarkSendEvent_500Then202(b *testing.B) {
	emu := emulatortest.New(b)
	src := script(call("sendEvent", triggerArgs(emu.EventsURL()).with("dedupKey", `"srv01/HTTP"`)))
	for b.Loop() {
		emu.Inject(emulator.Fault{Status: 500, Header: map[string]string{"Retry-After": "0"}})
		if out := mustRun(b, time.Time{}, src); out != "202\n" {
			b.Fatalf("script printed %q, want %q", out, "202\n")
		}
	}
}
