package relay_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/event"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/relay"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// throttle answers the first request carrying routing key key with 429
// and Retry-After, then passes every request to the emulator; it records
// when key's requests arrived.
type throttle struct {
	emu        *emulator.Emulator
	key        string
	retryAfter string
	mu         sync.Mutex
	times      []time.Time
}

func (th *throttle) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RoutingKey string `json:"routing_key"`
	}
	data, _ := readAll(r)
	_ = json.Unmarshal(data, &body)
	if body.RoutingKey == th.key {
		th.mu.Lock()
		th.times = append(th.times, time.Now())
		first := len(th.times) == 1
		th.mu.Unlock()
		if first {
			w.Header().Set("Retry-After", th.retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
	}
	r.Body = nopBody(data)
	th.emu.ServeHTTP(w, r)
}

// TestRelay_Upstream429_RetryAfterPerKey: a 429 with Retry-After for one
// routing key holds that key's events for at least Retry-After, while
// another key's events are delivered meanwhile.
func TestRelay_Upstream429_RetryAfterPerKey(t *testing.T) {
	th := &throttle{emu: emulator.New(emulator.Options{}), key: keyA, retryAfter: "1"}
	up := httptest.NewServer(th)
	t.Cleanup(up.Close)
	r := start(t, relay.Options{Upstream: up.URL})
	post(t, r.URL(), event.AlertPath, trigger(keyA, "a", 1))
	testwait.Until(t, "the 429 for key A", func() (bool, string) {
		th.mu.Lock()
		defer th.mu.Unlock()
		return len(th.times) >= 1, fmt.Sprintf("%d requests for key A", len(th.times))
	})
	for i := range 3 {
		post(t, r.URL(), event.AlertPath, trigger(keyB, fmt.Sprint("b", i), i))
	}
	testwait.Until(t, "key B's 3 events delivered and key A's retried", func() (bool, string) {
		th.mu.Lock()
		defer th.mu.Unlock()
		b := 0
		for _, q := range th.emu.Requests() {
			if q.RoutingKey == keyB && q.Status == http.StatusAccepted {
				b++
			}
		}
		return b == 3 && len(th.times) >= 2, fmt.Sprintf("%d of key B's events delivered, %d requests for key A", b, len(th.times))
	})
	th.mu.Lock()
	waited := th.times[1].Sub(th.times[0])
	th.mu.Unlock()
	if waited < time.Second {
		t.Errorf("key A was tried again %s after its 429 with Retry-After: 1; want at least 1s", waited)
	}
	waitStats(t, r.path, "the outbox to empty", func(p, _ int) bool { return p == 0 })
}

// TestRelay_UpstreamFailures_Retried: 5xx answers, dropped connections
// and cut answers are retried with the outbox's backoff until delivered.
func TestRelay_UpstreamFailures_Retried(t *testing.T) {
	emu := emulatortest.New(t)
	emu.Inject(
		emulator.Fault{Status: 503},
		emulator.Fault{Status: 500},
		emulator.Fault{Drop: true},
		emulator.Fault{DropMidResponse: true},
		emulator.Fault{Status: 502},
	)
	r := start(t, relay.Options{}, emu)
	post(t, r.URL(), event.AlertPath, trigger(keyA, "retried", 1))
	reqs := waitReceived(t, emu, 1)
	if n := len(emu.Requests()); n != 6 {
		t.Errorf("upstream saw %d requests, want 6 (5 failures, then the delivery)", n)
	}
	if reqs[0].DedupKey != "retried" {
		t.Errorf("delivered dedup key %q, want retried", reqs[0].DedupKey)
	}
	waitStats(t, r.path, "the outbox to empty", func(p, d int) bool { return p == 0 && d == 0 })
	_, _, metrics := get(t, r.URL()+"/metrics")
	if !strings.Contains(metrics, relay.MetricAttempts+" 6\n") {
		t.Errorf("metrics: want %s 6:\n%s", relay.MetricAttempts, grepLines(metrics, "fluxpd_relay_"))
	}
}

// TestRelay_Upstream4xx_DeadLettered: a final answer other than 2xx (an
// unknown routing key's 400, a 403) moves the event to the dead letters
// with PagerDuty's reason, logged once with the key masked; other keys
// are not held up.
func TestRelay_Upstream4xx_DeadLettered(t *testing.T) {
	emu := emulatortest.New(t)
	emu.RefuseKey(keyB)
	r := start(t, relay.Options{}, emu)
	post(t, r.URL(), event.AlertPath, trigger(keyB, "refused", 1))
	waitStats(t, r.path, "a dead letter", func(p, d int) bool { return p == 0 && d == 1 })
	emu.Inject(emulator.Fault{Status: 403, Body: `{"status":"forbidden","message":"Forbidden"}`})
	post(t, r.URL(), event.AlertPath, trigger(keyC, "forbidden", 1))
	waitStats(t, r.path, "two dead letters", func(p, d int) bool { return p == 0 && d == 2 })
	post(t, r.URL(), event.AlertPath, trigger(keyA, "fine", 1))
	waitReceived(t, emu, 1)

	ob, err := outbox.Open(r.path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dead, err := ob.DeadLetters()
	ob.Close()
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead letters: %d, %v; want 2", len(dead), err)
	}
	for i, want := range []string{"PagerDuty answered 400 Bad Request: Event object is invalid: Invalid routing key", "PagerDuty answered 403 Forbidden: Forbidden"} {
		if dead[i].LastReason != want {
			t.Errorf("dead letter %d: reason %q, want %q", i, dead[i].LastReason, want)
		}
	}
	log := r.log.String()
	if n := strings.Count(log, "dead-lettered #"); n != 2 {
		t.Errorf("log: %d dead-letter lines, want 2:\n%s", n, log)
	}
	_, _, metrics := get(t, r.URL()+"/metrics")
	if !strings.Contains(metrics, relay.MetricDeadLetters+" 2\n") {
		t.Errorf("metrics: want %s 2:\n%s", relay.MetricDeadLetters, grepLines(metrics, "fluxpd_relay_"))
	}
}

// TestRelay_Expiry: an event that cannot be delivered for longer than
// MaxAge is dead-lettered as expired, as the outbox does.
func TestRelay_Expiry(t *testing.T) {
	emu := emulatortest.New(t)
	if err := emu.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	r := start(t, relay.Options{MaxAge: 200 * time.Millisecond}, emu)
	post(t, r.URL(), event.AlertPath, trigger(keyA, "old", 1))
	waitStats(t, r.path, "the event to expire", func(p, d int) bool { return p == 0 && d == 1 })
	ob, err := outbox.Open(r.path, outbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ob.Close()
	dead, err := ob.DeadLetters()
	if err != nil || len(dead) != 1 || !strings.HasPrefix(dead[0].LastReason, outbox.ReasonExpired) {
		t.Fatalf("dead letters %+v, %v; want one, expired", dead, err)
	}
	if !strings.Contains(r.log.String(), "expired") {
		t.Errorf("log: want a line for the expired event:\n%s", r.log.String())
	}
}

// grepLines returns the lines of s starting with prefix.
func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestRelay_NewUpstreamTakesWhatWaits: events queued for one upstream go
// to the --upstream of the relay that delivers them: restarted with
// another (the EU region, say), it delivers what waits there, on the same
// path.
func TestRelay_NewUpstreamTakesWhatWaits(t *testing.T) {
	old, next := emulatortest.New(t), emulatortest.New(t)
	if err := old.StartOutage(emulator.Outage{For: testwaitLimit()}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "relay.db")
	first := start(t, relay.Options{OutboxPath: path}, old)
	for _, body := range [][]byte{trigger(keyA, "moved", 1), trigger(keyA, "moved", 2)} {
		if a := post(t, first.URL(), event.AlertPath, body); a.Code != http.StatusAccepted {
			t.Fatalf("answer %d %+v, want 202", a.Code, a)
		}
	}
	testwait.Until(t, "the old upstream to have refused an attempt", func() (bool, string) {
		n := len(old.Requests())
		return n > 0, fmt.Sprintf("%d requests", n)
	})
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	start(t, relay.Options{OutboxPath: path}, next)
	testwait.Until(t, "both events at the new upstream", func() (bool, string) {
		n := len(next.Requests())
		return n == 2, fmt.Sprintf("%d requests", n)
	})
	for _, r := range next.Requests() {
		if r.Path != event.AlertPath || r.Verdict != emulator.VerdictAccepted {
			t.Errorf("request at the new upstream: %s %s, want %s accepted", r.Path, r.Verdict, event.AlertPath)
		}
	}
}
