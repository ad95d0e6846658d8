package outbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// The Relay* names: these are the outbox's parts that fluxpd relay uses
// (go test -run Relay runs them with the relay's tests).

func TestRelayPacing_ParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    outbox.Rate
		wantErr string
	}{
		{"120/1m", outbox.Rate{N: 120, Per: time.Minute}, ""},
		{"2/1s", outbox.Rate{N: 2, Per: time.Second}, ""},
		{"10000/m", outbox.Rate{N: 10000, Per: time.Minute}, ""},
		{" 5/30s ", outbox.Rate{N: 5, Per: 30 * time.Second}, ""},
		{"120", outbox.Rate{}, "no '/'"},
		{"0/1m", outbox.Rate{}, "N must be a whole number from 1 to 1000000"},
		{"x/1m", outbox.Rate{}, "N must be a whole number"},
		{"5/0s", outbox.Rate{}, "PERIOD must be a positive duration"},
		{"5/fortnight", outbox.Rate{}, "PERIOD must be a positive duration"},
	}
	for _, tt := range tests {
		got, err := outbox.ParseRate("--rate", tt.in)
		switch {
		case tt.wantErr == "" && (err != nil || got != tt.want):
			t.Errorf("ParseRate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "--rate must be N/PERIOD")):
			t.Errorf("ParseRate(%q) error = %v; want one naming --rate and saying %q", tt.in, err, tt.wantErr)
		}
	}
}

// TestRelayPacing_KeyRate_SlidingWindow: at most N sends per key in any
// window of Per, each key on its own; Next says when a refused key has
// room again.
func TestRelayPacing_KeyRate_SlidingWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k := outbox.NewKeyRate(outbox.Rate{N: 2, Per: time.Minute})
	steps := []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true},
		{"a", 10 * time.Second, true},
		{"a", 20 * time.Second, false}, // 2 in the last minute
		{"b", 20 * time.Second, true},  // another key
		{"a", 59 * time.Second, false},
		{"a", 60 * time.Second, true}, // the send at 0 left the window
		{"a", 65 * time.Second, false},
		{"a", 70 * time.Second, true},
	}
	for _, s := range steps {
		if got := k.Allow(s.key, t0.Add(s.at)); got != s.want {
			t.Errorf("Allow(%s) at %s = %v, want %v", s.key, s.at, got, s.want)
		}
	}
	if room, full := k.RoomAt("a", t0.Add(70*time.Second)); !full || !room.Equal(t0.Add(120*time.Second)) {
		t.Errorf("RoomAt(a) = %s, %v; want full until 2m after the start", room.Sub(t0), full)
	}
	if _, full := k.RoomAt("b", t0.Add(70*time.Second)); full {
		t.Errorf("RoomAt(b): full, want room")
	}
	if next := k.Next(t0.Add(70 * time.Second)); !next.Equal(t0.Add(120 * time.Second)) {
		t.Errorf("Next = %s, want 2m after the start (the send at 1m leaves the window)", next.Sub(t0))
	}
	if next := k.Next(t0.Add(70 * time.Second)); !next.IsZero() {
		t.Errorf("Next again, with no refusal since: %s, want zero", next)
	}
	use := k.Use(t0.Add(70 * time.Second))
	if len(use) != 2 || use[0].RoutingKey != "a" || !use[0].Full || use[1].RoutingKey != "b" || use[1].Full {
		t.Errorf("Use = %+v; want a full, then b with room", use)
	}
}

// TestRelayPacing_FlushWithLimiter: a flush given a Limiter sends each key
// only as far as its room goes, the rest deferred and kept.
func TestRelayPacing_FlushWithLimiter(t *testing.T) {
	emu := emulator.New(emulator.Options{})
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	clock := newVirtualClock()
	ob, _, _ := open(t, outbox.Options{Now: clock.Now})
	var entries []outbox.Entry
	for i := range 3 {
		for _, rk := range []string{routingKey(1), routingKey(2)} {
			entries = append(entries, event{rk, "alert-" + string(rune('a'+i)), "trigger", i}.entry(srv.URL+"/v2/enqueue"))
		}
	}
	// One alert with two events: the second follows the first within the
	// same flush only if the key has room.
	entries = append(entries, event{routingKey(1), "alert-a", "resolve", 9}.entry(srv.URL+"/v2/enqueue"))
	if _, err := ob.EnqueueBatch(entries); err != nil {
		t.Fatal(err)
	}
	lim := outbox.NewKeyRate(outbox.Rate{N: 2, Per: time.Minute})
	rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Limiter: lim})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 4 || rep.Pending != 3 || rep.Deferred == 0 {
		t.Errorf("first flush: %s; want 4 delivered (2 per key), 3 pending, some deferred", rep)
	}
	if got := countByKey(emu); got[routingKey(1)] != 2 || got[routingKey(2)] != 2 {
		t.Errorf("delivered per key: %v; want 2 each", got)
	}
	clock.advance(time.Minute)
	drain(t, ob, outbox.FlushOptions{Limiter: lim})
	if got := countByKey(emu); got[routingKey(1)] != 4 || got[routingKey(2)] != 3 {
		t.Errorf("delivered per key after a minute: %v; want 4 and 3", got)
	}
}

func countByKey(e *emulator.Emulator) map[string]int {
	n := map[string]int{}
	for _, r := range e.Requests() {
		if r.Status == http.StatusAccepted {
			n[r.RoutingKey]++
		}
	}
	return n
}
