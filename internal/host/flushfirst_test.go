package host_test

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/host"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// A send whose alert waits in the outbox: with FlushFirst the alert's head
// is tried once first, and no other alert; without it nothing is tried.
// The outbox holds alert A (two events) and alert B (one); the send is a
// third event of A, or an event of C, an alert that does not wait.
func TestHost_Send_FlushFirst(t *testing.T) {
	tests := []struct {
		name       string
		flushFirst bool
		outage     bool
		send       string // the dedup key sent
		want       host.Outcome
		// wantSent lists the bodies the emulator received, by dedup key
		// and sequence number.
		wantSent    []string
		wantPending []string // left in the outbox, in order
	}{
		{name: "outage: only A's head is tried, once, and the event queued behind it", flushFirst: true, outage: true, send: "A",
			want: host.Queued, wantSent: []string{"A#1"}, wantPending: []string{"A#1", "A#2", "B#1", "A#3"}},
		{name: "PagerDuty answers: A's waiting events are delivered in order, then the event sent", flushFirst: true, send: "A",
			want: host.Accepted, wantSent: []string{"A#1", "A#2", "A#3"}, wantPending: []string{"B#1"}},
		{name: "no FlushFirst: nothing is tried, the event is queued behind A", send: "A",
			want: host.Queued, wantPending: []string{"A#1", "A#2", "B#1", "A#3"}},
		{name: "an alert that does not wait is sent alone", flushFirst: true, send: "C",
			want: host.Accepted, wantSent: []string{"C#3"}, wantPending: []string{"A#1", "A#2", "B#1"}},
		{name: "outage, an alert that does not wait: it alone is tried and queued", flushFirst: true, outage: true, send: "C",
			want: host.Queued, wantSent: []string{"C#3", "C#3", "C#3"}, wantPending: []string{"A#1", "A#2", "B#1", "C#3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			ob := openOutbox(t, outbox.Options{})
			for _, ev := range []struct {
				dk  string
				seq int
			}{{"A", 1}, {"A", 2}, {"B", 1}} {
				m := alert(s.EventsURL(), ev.dk, ev.seq)
				if _, err := ob.Enqueue(outbox.Entry{URL: m.URL, RoutingKey: rk, DedupKey: m.DedupKey, Body: m.Body}); err != nil {
					t.Fatal(err)
				}
			}
			if tt.outage {
				if err := s.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
					t.Fatal(err)
				}
			}
			h := &host.Host{Outbox: ob, FlushFirst: tt.flushFirst}
			r := h.Send(t.Context(), sender(), alert(s.EventsURL(), tt.send, 3))
			if got := outcome(r); got != tt.want {
				t.Errorf("the send was %s (%+v), want %s", got, r, tt.want)
			}
			var sent []string
			for _, req := range s.Requests() {
				sent = append(sent, bodyName(t, req.Body))
			}
			if diff := cmp.Diff(tt.wantSent, sent); diff != "" {
				t.Errorf("requests the emulator received (-want +got):\n%s", diff)
			}
			list, err := ob.List()
			if err != nil {
				t.Fatal(err)
			}
			var pending []string
			for _, e := range list {
				pending = append(pending, bodyName(t, e.Body))
			}
			if diff := cmp.Diff(tt.wantPending, pending); diff != "" {
				t.Errorf("the outbox's pending events (-want +got):\n%s", diff)
			}
		})
	}
}

// outcome is how a Result ended, as Host.Send counts it.
func outcome(r host.Result) host.Outcome {
	switch {
	case r.Accepted():
		return host.Accepted
	case r.Queued != "":
		return host.Queued
	}
	return host.Failed
}

// bodyName names an alertBody: its dedup key and sequence number, "A#1".
func bodyName(t testing.TB, body []byte) string {
	t.Helper()
	for _, dk := range []string{"A", "B", "C"} {
		for seq := 1; seq <= 3; seq++ {
			if string(alertBody(dk, seq)) == string(body) {
				return fmt.Sprintf("%s#%d", dk, seq)
			}
		}
	}
	t.Fatalf("a body this test did not make: %s", body)
	return ""
}
