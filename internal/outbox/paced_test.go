package outbox_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// scriptedSender answers each routing key with its script of statuses, in
// order, then 202; a status of 0 is no answer.
type scriptedSender struct {
	mu         sync.Mutex
	script     map[string][]int
	retryAfter time.Duration
}

func (s *scriptedSender) Send(_ context.Context, url string, _ []byte, secrets ...string) (*delivery.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := secrets[0]
	status := http.StatusAccepted
	if q := s.script[key]; len(q) > 0 {
		status, s.script[key] = q[0], q[1:]
	}
	switch {
	case status == 0:
		return nil, &delivery.Error{Kind: delivery.KindTransport, Attempts: 1, URL: url, Err: context.DeadlineExceeded}
	case status/100 == 2:
		return &delivery.Response{StatusCode: status, Attempts: 1}, nil
	}
	resp := &delivery.Response{StatusCode: status, Attempts: 1, RetryAfter: s.retryAfter}
	return resp, &delivery.Error{Kind: delivery.KindHTTP, StatusCode: status, Attempts: 1, RetryAfter: s.retryAfter, URL: url}
}

// Paced lists the routing keys a flush paced, the longest wait first,
// with their failed probes; a key's pacing ends when its time passes (for
// Paced) and when it is answered 2xx (for good).
func TestPaced(t *testing.T) {
	clock := newVirtualClock()
	start := clock.Now()
	snd := &scriptedSender{script: map[string][]int{routingKey(1): {503, 503}, routingKey(2): {429}, routingKey(3): {0}}}
	ob, _, sink := open(t, outbox.Options{Now: clock.Now, Sender: snd, BaseDelay: time.Second, MaxDelay: time.Minute, Rand: func() float64 { return 0 }})
	for i := 1; i <= 3; i++ {
		if _, err := ob.Enqueue(event{routingKey(i), "a", "trigger", i}.entry(unreachable)); err != nil {
			t.Fatal(err)
		}
	}
	paced := func(at time.Time) []outbox.PacedKey { return ob.Paced(at) }
	if got := paced(start); len(got) != 0 {
		t.Errorf("Paced before any flush = %+v, want none", got)
	}

	snd.retryAfter = 10 * time.Second
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil || rep.Rescheduled != 3 {
		t.Fatalf("flush 1: %s, %v; want every key refused", rep, err)
	}
	want := []outbox.PacedKey{
		{RoutingKey: routingKey(1), Until: start.Add(10 * time.Second), Refusals: 1},
		{RoutingKey: routingKey(2), Until: start.Add(10 * time.Second), Refusals: 1},
		{RoutingKey: routingKey(3), Until: start.Add(time.Second), Refusals: 1}, // no answer: no Retry-After, the base
	}
	if diff := cmp.Diff(want, paced(start)); diff != "" {
		t.Errorf("Paced after each key's refusal, answers with Retry-After 10s (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:2], paced(start.Add(time.Second))); diff != "" {
		t.Errorf("Paced once key 3's wait passed (-want +got):\n%s", diff)
	}
	if got := paced(start.Add(10 * time.Second)); len(got) != 0 {
		t.Errorf("Paced once the wait passed = %+v, want none", got)
	}
	if !strings.Contains(sink.String(), "pacing routing key R01k") || strings.Contains(sink.String(), routingKey(1)) {
		t.Errorf("the log does not say the keys are paced, masked:\n%s", sink)
	}

	// A flush before the keys' time sends nothing: each is deferred.
	if rep, _ := ob.Flush(t.Context(), outbox.FlushOptions{}); rep.Sent != 0 {
		t.Errorf("a flush while every key is paced sent: %s", rep)
	}

	// Later: key 1 fails again (a second refusal doubles the backoff, no
	// Retry-After now); keys 2 and 3 are answered and paced no more.
	snd.retryAfter = 0
	clock.advance(time.Minute)
	now := clock.Now()
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil || rep.Delivered != 2 || rep.Rescheduled != 1 {
		t.Fatalf("flush 2: %s, %v; want keys 2 and 3 delivered, key 1 refused", rep, err)
	}
	want = []outbox.PacedKey{{RoutingKey: routingKey(1), Until: now.Add(2 * time.Second), Refusals: 2}}
	if diff := cmp.Diff(want, paced(now)); diff != "" {
		t.Errorf("Paced after key 1's second refusal (-want +got):\n%s", diff)
	}
}
