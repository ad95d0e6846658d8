package outbox_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// An entry without a URL, a routing key or a body is refused, and a batch
// holding one stores none of its entries.
func TestEnqueueBatch_RefusesIncompleteEntries(t *testing.T) {
	good := event{routingKey(1), "a", "trigger", 1}.entry(unreachable)
	tests := []struct {
		name  string
		spoil func(e *outbox.Entry)
	}{
		{"no URL", func(e *outbox.Entry) { e.URL = "" }},
		{"no routing key", func(e *outbox.Entry) { e.RoutingKey = "" }},
		{"no body", func(e *outbox.Entry) { e.Body = nil }},
		{"an empty body", func(e *outbox.Entry) { e.Body = []byte{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob, _, _ := open(t, outbox.Options{})
			bad := good
			tt.spoil(&bad)
			ids, err := ob.EnqueueBatch([]outbox.Entry{good, bad})
			if err == nil || err.Error() != "outbox: an entry needs a URL, a routing key and a body" || ids != nil {
				t.Errorf("EnqueueBatch = %v, %v; want the refusal", ids, err)
			}
			if p, d, err := ob.Count(); p+d != 0 || err != nil {
				t.Errorf("the refused batch left %d pending, %d dead (%v); want nothing", p, d, err)
			}
		})
	}
}

// Enqueue assigns increasing IDs, keeps what the caller says of the
// event's past, and schedules it: now for an event never sent, after the
// first backoff (jitter included) for one that failed, or when the caller
// says. What only the outbox may set (Dead, Sending) is cleared.
func TestEnqueueBatch_Schedules(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	const base = 10 * time.Second
	tests := []struct {
		name     string
		rand     float64
		entry    func(e *outbox.Entry)
		wantNext time.Time
	}{
		{"never sent: due now", 0.5, func(*outbox.Entry) {}, now},
		{"failed: the base, stretched by half the jitter", 0.5, func(e *outbox.Entry) { e.Attempts = 3 }, now.Add(base + base/10)},
		{"failed, no jitter drawn", 0, func(e *outbox.Entry) { e.Attempts = 1 }, now.Add(base)},
		{"failed, a draw out of range counts as none", 1, func(e *outbox.Entry) { e.Attempts = 1 }, now.Add(base)},
		{"the caller's time is kept", 0.5, func(e *outbox.Entry) { e.Attempts = 1; e.NextAttempt = now.Add(time.Hour) }, now.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }, BaseDelay: base, Rand: func() float64 { return tt.rand }})
			e := event{routingKey(1), "a", "trigger", 1}.entry(unreachable)
			e.ID, e.Dead, e.DeadAt, e.Sending = 77, true, now, true
			e.LastStatus, e.LastReason, e.Redeliveries = 503, "PagerDuty answered 503", 2
			e.Created = now.Add(-time.Minute)
			tt.entry(&e)
			ids, err := ob.EnqueueBatch([]outbox.Entry{e, event{routingKey(1), "a", "resolve", 2}.entry(unreachable)})
			if err != nil || len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
				t.Fatalf("EnqueueBatch = %v, %v; want IDs 1 and 2", ids, err)
			}
			list, err := ob.List()
			if err != nil || len(list) != 2 {
				t.Fatalf("List = %+v, %v", list, err)
			}
			want := e
			want.ID, want.Dead, want.DeadAt, want.Sending, want.NextAttempt = 1, false, time.Time{}, false, tt.wantNext
			if diff := cmp.Diff(want, list[0], cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("the stored entry (-want +got):\n%s", diff)
			}
			if second := list[1]; !second.Created.Equal(now) || !second.NextAttempt.Equal(now) || second.Behind != 1 {
				t.Errorf("the second entry: created %s, next %s, behind #%d; want now, now, behind #1", second.Created, second.NextAttempt, second.Behind)
			}
		})
	}
}

// A closed outbox fails every operation with ErrClosed, and Pending says
// false after a warning, so that an event is sent rather than held.
func TestClosed_EveryOperationFails(t *testing.T) {
	var warned []string
	ob, _, _ := open(t, outbox.Options{Warn: func(w string) { warned = append(warned, w) }})
	if _, err := ob.Enqueue(event{routingKey(1), "a", "trigger", 1}.entry(unreachable)); err != nil {
		t.Fatal(err)
	}
	if err := ob.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ob.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	ops := map[string]func() error{
		"Enqueue": func() error {
			_, err := ob.Enqueue(event{routingKey(1), "a", "trigger", 2}.entry(unreachable))
			return err
		},
		"List":         func() error { _, err := ob.List(); return err },
		"DeadLetters":  func() error { _, err := ob.DeadLetters(); return err },
		"Stats":        func() error { _, err := ob.Stats(); return err },
		"Count":        func() error { _, _, err := ob.Count(); return err },
		"Oldest":       func() error { _, _, err := ob.Oldest(); return err },
		"HasPending":   func() error { _, err := ob.HasPending(routingKey(1), "a"); return err },
		"Drop":         func() error { _, err := ob.Drop(1); return err },
		"DropDedupKey": func() error { _, err := ob.DropDedupKey("a"); return err },
		"Flush": func() error {
			_, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: refuseToSend(t)})
			return err
		},
	}
	for name, op := range ops {
		if err := op(); !errors.Is(err, outbox.ErrClosed) {
			t.Errorf("%s on a closed outbox: %v, want ErrClosed", name, err)
		}
	}
	if ob.Pending(routingKey(1), "a") {
		t.Errorf("Pending on a closed outbox is true")
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "cannot tell whether events are queued for routing key R01k**") ||
		strings.Contains(warned[0], routingKey(1)) {
		t.Errorf("warnings %q; want one naming the masked routing key", warned)
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: refuseToSend(t)})
	if !errors.Is(err, outbox.ErrClosed) || rep.PendingCount != outbox.Unknown {
		t.Errorf("Flush of a closed outbox: %s, %v; want the count unknown", rep, err)
	}
}
