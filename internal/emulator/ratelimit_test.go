package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/emulator"
)

func TestEmulator_RateLimit(t *testing.T) {
	c := newClock()
	e := emulator.New(emulator.Options{RateLimit: 2, Now: c.Now})
	send := func(body string) int {
		path := emulator.EventsPath
		if !strings.Contains(body, "event_action") {
			path = emulator.ChangePath
		}
		res, _ := serve(t, e, http.MethodPost, path, body)
		return res.StatusCode
	}
	steps := []struct {
		name    string
		advance time.Duration
		body    string
		want    int
	}{
		{"first", 0, trigger(), 202},
		{"rejected events do not count", time.Second, trigger(del("payload.source")), 400},
		{"second", 0, resolve(key, "srv01/HTTP"), 202},
		{"third is throttled", 0, trigger(), 429},
		{"another routing key has its own window", 0, trigger(set("routing_key", otherKey)), 202},
		{"change events count too", 0, change(), 429},
		{"still inside the window of the first", 58*time.Second + 999*time.Millisecond, trigger(), 429},
		{"the first left the window", time.Millisecond, trigger(), 202},
		{"the second is still in it", 0, trigger(), 429},
		{"both left", time.Second, trigger(), 202},
	}
	for _, s := range steps {
		c.Add(s.advance)
		if got := send(s.body); got != s.want {
			t.Errorf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	want := []emulator.Verdict{"accepted", "rejected", "accepted", "throttled", "accepted", "throttled", "throttled", "accepted", "throttled", "accepted"}
	if diff := cmp.Diff(want, verdicts(e)); diff != "" {
		t.Errorf("verdicts mismatch (-want +got):\n%s", diff)
	}
	if a := e.Alerts(); len(a) != 3 || a[0].Status != "resolved" || a[2].Count != 2 {
		t.Errorf("throttled events changed alert state: %+v", a)
	}
}

func TestEmulator_RateLimit_Response(t *testing.T) {
	e := emulator.New(emulator.Options{RateLimit: 1, Now: newClock().Now})
	serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	res, got := serve(t, e, http.MethodPost, emulator.EventsPath, trigger())
	want := response{
		Status:  "throttle event",
		Message: "Requests for this service are arriving too quickly. Please retry later.",
		Errors:  []string{"Rate limit exceeded for this routing key"},
	}
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("status = %d, want 429", res.StatusCode)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("response mismatch (-want +got):\n%s", diff)
	}
	if r := e.Requests()[1]; r.Reason != "rate limit reached (1 event per routing key per minute)" {
		t.Errorf("reason = %q", r.Reason)
	}
}

func TestEmulator_RateLimit_Off(t *testing.T) {
	e := emulator.New(emulator.Options{Now: newClock().Now})
	for i := range 500 {
		if res, _ := serve(t, e, http.MethodPost, emulator.EventsPath, trigger()); res.StatusCode != 202 {
			t.Fatalf("event %d: status %d, want 202", i, res.StatusCode)
		}
	}
}
