package host_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// keyed is a message whose dedup key and summary quote the routing key,
// as a careless script's might, to rk's own emulator URL.
func keyed(url string) host.Message {
	m := alert(url, "alert-for-"+rk, 1)
	m.Summary = "disk full (key " + rk + ")"
	return m
}

// Refused: a Failure and an Invalid Sent with the refusal on one line and
// the routing key masked; no request, no attempt, no duration.
func TestHost_Refused(t *testing.T) {
	var rec recorder
	h := &host.Host{}
	rec.wire(h)
	metrics, reg := registry(t, nil)
	h.Metrics = metrics
	m := keyed("https://user:pw@events.pagerduty.com/v2/enqueue?token=t")
	m.Function = "endpoint"
	h.Refused(m, errors.New("routingKey "+rk+" is not valid:\nit has a space"))

	failures, sents, _, _ := rec.get()
	wantReason := "routingKey " + maskedRK + " is not valid:; it has a space"
	wantFailure := host.Failure{Function: "endpoint", URL: "https://events.pagerduty.com/v2/enqueue", DedupKey: "alert-for-" + maskedRK, Reason: wantReason}
	if diff := cmp.Diff([]host.Failure{wantFailure}, failures); diff != "" {
		t.Errorf("Failures (-want +got):\n%s", diff)
	}
	wantSent := host.Sent{Function: "endpoint", URL: wantFailure.URL, DedupKey: wantFailure.DedupKey, Action: "trigger",
		Summary: "disk full (key " + maskedRK + ")", Outcome: host.Invalid, Reason: wantReason}
	if diff := cmp.Diff([]host.Sent{wantSent}, sents); diff != "" {
		t.Errorf("Sent (-want +got):\n%s", diff)
	}
	if got, want := failures[0].String(), `pagerduty.endpoint: not sent to https://events.pagerduty.com/v2/enqueue (dedup key "alert-for-`+maskedRK+`"): `+wantReason; got != want {
		t.Errorf("Failure.String() =\n%s\nwant\n%s", got, want)
	}
	g := gather(t, reg)
	if got := g.events("endpoint", host.Invalid); got != 1 {
		t.Errorf("%s{endpoint, invalid} = %v, want 1", host.MetricEvents, got)
	}
	if got := g.value(host.MetricAttempts); got != 0 {
		t.Errorf("%s = %v, want 0 for a refusal", host.MetricAttempts, got)
	}
	if n := g.histogram().GetSampleCount(); n != 0 {
		t.Errorf("%s has %d samples, want none for a refusal", host.MetricDuration, n)
	}
	checkNoKey(t, rec.texts()...)
}

// A host that names no one is told nothing, and does not fail.
func TestHost_TellsNoOne(t *testing.T) {
	s := emulatortest.New(t)
	s.Inject(emulator.Fault{Status: 400, Body: invalidBody})
	h := &host.Host{}
	m := keyed(s.EventsURL())
	h.Notify(m, []string{"summary cut"})
	h.Refused(m, errors.New("refused"))
	if r := h.Send(t.Context(), sender(), m); r.Status != 400 {
		t.Errorf("Send = %+v, want the 400", r)
	}
}

// Notify: one Note per change, on one line, keys masked.
func TestHost_Notify(t *testing.T) {
	var rec recorder
	h := &host.Host{}
	rec.wire(h)
	m := keyed("https://events.pagerduty.com/v2/enqueue")
	h.Notify(m, nil)
	h.Notify(m, []string{"summary cut to 1024 characters", "payload dropped from a resolve\nof " + rk})
	_, _, notes, _ := rec.get()
	want := []host.Note{
		{Function: "sendEvent", DedupKey: "alert-for-" + maskedRK, Text: "summary cut to 1024 characters"},
		{Function: "sendEvent", DedupKey: "alert-for-" + maskedRK, Text: "payload dropped from a resolve; of " + maskedRK},
	}
	if diff := cmp.Diff(want, notes); diff != "" {
		t.Errorf("Notes (-want +got):\n%s", diff)
	}
	checkNoKey(t, rec.texts()...)
}

// Whatever becomes of an event whose dedup key and summary quote the
// routing key, and whose answers echo it, nothing the host says shows it:
// not Report, Sent, Log nor the Result's error.
func TestHost_Send_MasksTheRoutingKeyEverywhere(t *testing.T) {
	echo := `{"status":"invalid event","message":"bad key ` + rk + `","errors":["routing_key ` + rk + ` is unknown"]}`
	rows := []struct {
		name           string
		faults         []emulator.Fault
		outbox, closed bool
	}{
		{name: "accepted"},
		{name: "rejected, the answer echoing the key", faults: []emulator.Fault{{Status: 400, Body: echo}}},
		{name: "failed, the answers echoing the key", faults: times(attempts, emulator.Fault{Status: 503, Body: echo})},
		{name: "queued, the answers echoing the key", faults: times(attempts, emulator.Fault{Status: 429, Body: echo}), outbox: true},
		{name: "lost, the answers echoing the key", faults: times(attempts, emulator.Fault{Status: 500, Body: echo}), outbox: true, closed: true},
	}
	for _, tt := range rows {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			s.Inject(tt.faults...)
			var rec recorder
			h := &host.Host{}
			rec.wire(h)
			if tt.outbox {
				// The outbox's own log lines are its package's to mask
				// (internal/outbox's tests).
				h.Outbox = openOutbox(t, outbox.Options{})
				if tt.closed {
					h.Outbox.Close()
				}
			}
			r := h.Send(t.Context(), sender(), keyed(s.EventsURL()))
			if r.Err != nil {
				checkNoKey(t, r.Err.Error(), r.Queued)
			}
			texts := rec.texts()
			if len(texts) == 0 {
				t.Fatal("the host was told nothing")
			}
			checkNoKey(t, texts...)
			if joined := strings.Join(texts, "\n"); !strings.Contains(joined, maskedRK) {
				t.Errorf("the masked key %s shows nowhere: was the dedup key reported at all?\n%s", maskedRK, joined)
			}
		})
	}
}
