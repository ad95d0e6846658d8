package outbox_test

// Expiry: an event older than Options.MaxAge is dead-lettered as expired,
// never sent, wherever a flush meets it.

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// recordingSender answers every send 202 and records the bodies' seq.
type recordingSender struct {
	mu    sync.Mutex
	seqs  []string
	after func() // called after each send, if set
}

func (r *recordingSender) Send(_ context.Context, _ string, body []byte, _ ...string) (*delivery.Response, error) {
	r.mu.Lock()
	r.seqs = append(r.seqs, bodySummary(body))
	r.mu.Unlock()
	if r.after != nil {
		r.after()
	}
	return &delivery.Response{StatusCode: 202, Attempts: 1}, nil
}

func (r *recordingSender) sent() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seqs...)
}

// bodySummary is an event body's payload summary, "a #1".
func bodySummary(body []byte) string {
	_, after, _ := strings.Cut(string(body), `"summary":"`)
	summary, _, _ := strings.Cut(after, `"`)
	return summary
}

type aged struct {
	ev         event
	age        time.Duration
	lastReason string
}

func TestFlush_ExpiresByMaxAge(t *testing.T) {
	const maxAge = 24 * time.Hour
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	queued := "(queued " + now.Add(-25*time.Hour).Format(time.RFC3339) + ")"
	expired := "expired: older than 24h0m0s " + queued
	tests := []struct {
		name     string
		events   []aged
		group    *outbox.Group // flush only this alert
		wantSent []string
		wantDead []string // reasons
	}{
		{name: "an old event is not sent", events: []aged{{event{routingKey(1), "a", "trigger", 1}, 25 * time.Hour, ""}},
			wantDead: []string{expired}},
		{name: "its last failure is kept in the reason",
			events:   []aged{{event{routingKey(1), "a", "trigger", 1}, 25 * time.Hour, "PagerDuty answered 503 Service Unavailable"}},
			wantDead: []string{expired + "; last failure: PagerDuty answered 503 Service Unavailable"}},
		{name: "an event without a dedup key too", events: []aged{{event{routingKey(1), "", "trigger", 1}, 25 * time.Hour, ""}},
			wantDead: []string{expired}},
		{name: "exactly MaxAge old: still sent", events: []aged{{event{routingKey(1), "a", "trigger", 1}, maxAge, ""}},
			wantSent: []string{"a #1"}},
		{name: "an old head: it expires, the young event behind it is sent",
			events:   []aged{{event{routingKey(1), "a", "trigger", 1}, 25 * time.Hour, ""}, {event{routingKey(1), "a", "resolve", 2}, time.Hour, ""}},
			wantSent: []string{"a #2"}, wantDead: []string{expired}},
		{name: "one alert flushed: its old head expires, the event behind it is sent",
			events: []aged{{event{routingKey(1), "a", "trigger", 1}, 25 * time.Hour, ""}, {event{routingKey(1), "a", "resolve", 2}, time.Hour, ""},
				{event{routingKey(1), "b", "trigger", 3}, 26 * time.Hour, ""}},
			group: &outbox.Group{RoutingKey: routingKey(1), DedupKey: "a"}, wantSent: []string{"a #2"}, wantDead: []string{expired}},
		{name: "one alert flushed: all of it old",
			events: []aged{{event{routingKey(1), "a", "trigger", 1}, 25 * time.Hour, ""}, {event{routingKey(1), "a", "resolve", 2}, 25 * time.Hour, ""}},
			group:  &outbox.Group{RoutingKey: routingKey(1), DedupKey: "a"}, wantDead: []string{expired, expired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snd := &recordingSender{}
			ob, _, sink := open(t, outbox.Options{Now: func() time.Time { return now }, MaxAge: maxAge, Sender: snd})
			for _, a := range tt.events {
				e := a.ev.entry(unreachable)
				e.Created, e.LastReason = now.Add(-a.age), a.lastReason
				if _, err := ob.Enqueue(e); err != nil {
					t.Fatal(err)
				}
			}
			rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Group: tt.group})
			if err != nil || rep.Expired != len(tt.wantDead) || rep.Delivered != len(tt.wantSent) {
				t.Errorf("Flush = %s, %v; want %d expired, %d delivered", rep, err, len(tt.wantDead), len(tt.wantSent))
			}
			if diff := cmp.Diff(tt.wantSent, snd.sent()); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
			dead, err := ob.DeadLetters()
			if err != nil {
				t.Fatal(err)
			}
			var reasons []string
			for _, d := range dead {
				reasons = append(reasons, d.LastReason)
				if !d.Dead || !d.DeadAt.Equal(now) {
					t.Errorf("dead letter #%d: dead %v at %s, want dead at %s", d.ID, d.Dead, d.DeadAt, now)
				}
			}
			if diff := cmp.Diff(tt.wantDead, reasons); diff != "" {
				t.Errorf("dead letters' reasons (-want +got):\n%s", diff)
			}
			if len(tt.wantDead) > 0 && !strings.Contains(sink.String(), "dead-lettered #") {
				t.Errorf("the log does not say what was dead-lettered:\n%s", sink)
			}
		})
	}
}

// An event that grows too old while the head before it is sent expires
// when the flush reaches it, and is not sent.
func TestFlush_ExpiresBehindADeliveredHead(t *testing.T) {
	clock := newVirtualClock()
	snd := &recordingSender{}
	snd.after = func() { clock.advance(48 * time.Hour) }
	ob, _, _ := open(t, outbox.Options{Now: clock.Now, Sender: snd})
	for _, ev := range []event{{routingKey(1), "a", "trigger", 1}, {routingKey(1), "a", "resolve", 2}} {
		if _, err := ob.Enqueue(ev.entry(unreachable)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{})
	if err != nil || rep.Delivered != 1 || rep.Expired != 1 || rep.Pending != 0 {
		t.Errorf("Flush = %s, %v; want the head delivered and the event behind it expired", rep, err)
	}
	if diff := cmp.Diff([]string{"a #1"}, snd.sent()); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}

// The event behind a delivered head follows in the same flush when it is
// due, and waits for its time when it is not (unless forced).
func TestFlush_NextOfAGroupWaitsForItsTime(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "due only", true: "forced"}[force], func(t *testing.T) {
			snd := &recordingSender{}
			ob, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }, Sender: snd})
			head := event{routingKey(1), "a", "trigger", 1}.entry(unreachable)
			later := event{routingKey(1), "a", "resolve", 2}.entry(unreachable)
			later.Attempts, later.NextAttempt = 1, now.Add(time.Hour)
			if _, err := ob.EnqueueBatch([]outbox.Entry{head, later}); err != nil {
				t.Fatal(err)
			}
			rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Force: force})
			want := []string{"a #1"}
			if force {
				want = append(want, "a #2")
			}
			if err != nil || rep.Delivered != len(want) {
				t.Errorf("Flush = %s, %v; want %d delivered", rep, err, len(want))
			}
			if diff := cmp.Diff(want, snd.sent()); diff != "" {
				t.Errorf("sent (-want +got):\n%s", diff)
			}
		})
	}
}
