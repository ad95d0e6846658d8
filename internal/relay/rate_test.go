package relay_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/relay"
)

// clock is a virtual clock for the outbox's schedule and the pacing.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestRelay_Rate_PacesPerKey: with --rate 2/1m, a routing key gets at
// most 2 deliveries per minute of the relay's (virtual) clock; its other
// events wait in the outbox, never dropped, while another key is not held
// up. Counts, not speed: each step waits for a delivery of the other key,
// which the flusher makes after it has passed over the paced key's events.
func TestRelay_Rate_PacesPerKey(t *testing.T) {
	clk := &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	r := start(t, relay.Options{Rate: "2/1m", Now: clk.Now})
	for i := range 5 {
		post(t, r.URL(), event.AlertPath, trigger(keyA, fmt.Sprint("a", i), i))
	}
	delivered := func(key string) int {
		n := 0
		for _, q := range received(r.emu) {
			if q.RoutingKey == key {
				n++
			}
		}
		return n
	}
	bSent := 0
	step := func(wantA int) {
		t.Helper()
		bSent++
		post(t, r.URL(), event.AlertPath, trigger(keyB, fmt.Sprint("b", bSent), bSent))
		waitReceived(t, r.emu, wantA+bSent)
		if got := delivered(keyB); got != bSent {
			t.Fatalf("key B: %d delivered, want %d", got, bSent)
		}
		if got := delivered(keyA); got != wantA {
			t.Fatalf("key A: %d delivered, want %d (2 per minute of the clock)", got, wantA)
		}
	}
	step(2)
	step(2)
	_, _, page := get(t, r.URL()+"/")
	if !strings.Contains(page, "full until") || !strings.Contains(page, redact.Key(keyA)) {
		t.Errorf("status page: want key A (masked) full until a time:\n%s", page)
	}
	clk.Add(time.Minute)
	step(4)
	clk.Add(time.Minute)
	step(5)
	waitStats(t, r.path, "the outbox to empty", func(p, d int) bool { return p == 0 && d == 0 })
}
