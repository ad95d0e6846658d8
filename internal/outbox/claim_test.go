package outbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// The heads a flush held while their routing key's probe was out are
// claimed once it is answered, as they are then: one dropped meanwhile is
// skipped, one grown too old expires, the others are sent.
func TestFlush_HeldHeadsChangedDuringTheProbe(t *testing.T) {
	clock := newVirtualClock()
	var ob *outbox.Outbox
	ids := map[string]uint64{}
	var (
		mu   sync.Mutex
		sent []string
	)
	probe := senderFunc(func(_ context.Context, _ string, body []byte, _ ...string) (*delivery.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, bodySummary(body))
		if len(sent) == 1 { // the probe: change the held heads
			if ok, err := ob.Drop(ids["c"]); !ok || err != nil {
				t.Errorf("Drop = %v, %v", ok, err)
			}
			clock.advance(2 * time.Hour) // b grows too old
		}
		return &delivery.Response{StatusCode: 202, Attempts: 1}, nil
	})
	ob, _, _ = open(t, outbox.Options{Now: clock.Now, MaxAge: 3 * time.Hour, Sender: probe, Concurrency: 4}) // every head met while the probe is out
	for _, a := range []struct {
		dk  string
		age time.Duration
	}{{"a", 0}, {"b", 2 * time.Hour}, {"c", 0}, {"d", 0}} {
		e := event{routingKey(1), a.dk, "trigger", 1}.entry(unreachable)
		e.Created = clock.Now().Add(-a.age)
		id, err := ob.Enqueue(e)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.dk] = id
	}
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{})
	if err != nil || rep.Delivered != 2 || rep.Expired != 1 || rep.Pending != 0 {
		t.Errorf("Flush = %s, %v; want a and d delivered, b expired, c gone", rep, err)
	}
	if diff := cmp.Diff([]string{"a #1", "d #1"}, sent); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
}
