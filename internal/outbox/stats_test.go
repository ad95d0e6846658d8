package outbox_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/outbox"
)

// Stats' next attempt is the earliest among the groups' heads: an event
// queued behind its group's head is due by its own time (it was never
// tried) but waits for the head. List names the head it waits behind.
func TestStats_NextAttemptIsTheHeads(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	ob, _, _ := open(t, outbox.Options{Now: func() time.Time { return now }})
	const url = "http://127.0.0.1:1/v2/enqueue"
	queue := func(ev event, attempts int, next time.Duration) uint64 {
		t.Helper()
		e := ev.entry(url)
		e.Attempts = attempts
		if next > 0 {
			e.NextAttempt = now.Add(next)
		}
		id, err := ob.Enqueue(e)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	head := queue(event{routingKey(1), "db01/cpu", "trigger", 1}, 4, 10*time.Minute)
	queue(event{routingKey(1), "db01/cpu", "resolve", 2}, 0, 0) // due now, behind head
	other := queue(event{routingKey(2), "db02/disk", "trigger", 3}, 4, 20*time.Minute)
	queue(event{routingKey(2), "db02/disk", "resolve", 4}, 0, 0)

	st, err := ob.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(10 * time.Minute); !st.NextAttempt.Equal(want) {
		t.Errorf("Stats.NextAttempt = %s, want %s (the earlier head's), not now", st.NextAttempt, want)
	}
	list, err := ob.List()
	if err != nil {
		t.Fatal(err)
	}
	var behind []uint64
	for _, e := range list {
		behind = append(behind, e.Behind)
	}
	if diff := cmp.Diff([]uint64{0, head, 0, other}, behind); diff != "" {
		t.Errorf("List's Behind (-want +got):\n%s", diff)
	}
}
