package outbox_test

// The outbox's fault-matrix rows about what a flush costs PagerDuty: an
// event neither delivered nor stored, a storm of new events for one
// waiting alert, a steady 429, and the probe each routing key gets
// before its other alerts.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// senderFunc is an outbox.Sender made of a func.
type senderFunc func(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error)

func (f senderFunc) Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
	return f(ctx, url, body, secrets...)
}

// A 503, and then the outbox cannot store the event (it is closed once
// the answer has come, as a full disk would refuse the write): Deliver
// fails with the storage error and keeps PagerDuty's answer, so that the
// caller can say both; nothing was queued.
func TestFaultMatrix_NotStoredAfter503(t *testing.T) {
	s := emulatortest.New(t)
	ob, path, _ := open(t, outbox.Options{})
	if err := s.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	closing := senderFunc(func(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
		resp, err := oneShot().Send(ctx, url, body, secrets...)
		_ = ob.Close()
		return resp, err
	})
	d, err := ob.Deliver(t.Context(), closing, event{routingKey(1), "db01/disk", "trigger", 1}.entry(s.EventsURL()))
	if !errors.Is(err, outbox.ErrClosed) {
		t.Fatalf("Deliver = %+v, %v; want the storage error (the outbox is closed)", d, err)
	}
	if d.Queued || d.Status() != 503 || d.Err == nil || d.Response == nil {
		t.Errorf("Deliver = %+v; want PagerDuty's 503 kept and nothing queued", d)
	}
	reopened, _, _ := openAt(t, path, outbox.Options{})
	pending, _ := reopened.List()
	dead, _ := reopened.DeadLetters()
	if len(pending)+len(dead) != 0 {
		t.Errorf("the outbox holds %+v pending and %+v dead, want nothing", pending, dead)
	}
	if reqs := s.Requests(); len(reqs) != 1 || reqs[0].Verdict != emulator.VerdictFault {
		t.Errorf("the emulator: %s; want the one request answered 503", requestCounts(s.Emulator))
	}
	if n := len(s.Alerts()); n != 0 {
		t.Errorf("%d alerts, want none", n)
	}
}

// virtualClock is a clock that moves only when told; the emulator and the
// outbox share it, so that waits are counted in its time.
type virtualClock struct {
	mu  sync.Mutex
	now time.Time
}

func newVirtualClock() *virtualClock {
	return &virtualClock{now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *virtualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// byID returns the pending entries by ID.
func byID(t *testing.T, ob *outbox.Outbox) map[uint64]outbox.Entry {
	t.Helper()
	list, err := ob.List()
	if err != nil {
		t.Fatal(err)
	}
	m := map[uint64]outbox.Entry{}
	for _, e := range list {
		m[e.ID] = e
	}
	return m
}

// A storm of new events for one alert that waits, during an outage, as
// `fluxpd run --outbox` sends them: before each new event, one try of
// that alert's head (a Group flush), then the event is queued behind it.
// Each new event costs one request; the other alerts, of the same routing
// key and of another, are never tried; and the forced tries, made before
// the head was due, leave its backoff as it was.
func TestFaultMatrix_StormForOneWaitingAlert(t *testing.T) {
	const storm = 49 // new events: with the first trigger, 25 trigger/resolve pairs
	clock := newVirtualClock()
	s := emulatortest.New(t)
	ob, _, _ := open(t, outbox.Options{Now: clock.Now, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute})
	if err := s.StartOutage(emulator.Outage{For: testwait.Limit()}); err != nil {
		t.Fatal(err)
	}
	rk := routingKey(1)
	heads := []event{{rk, "storm", "trigger", 0}, {rk, "calm-1", "trigger", 1}, {rk, "calm-2", "trigger", 2}, {routingKey(2), "other-key", "trigger", 3}}
	for _, ev := range heads {
		if d, err := ob.Deliver(t.Context(), oneShot(), ev.entry(s.EventsURL())); err != nil || !d.Queued {
			t.Fatalf("event %d during the outage: %+v, %v; want it queued", ev.seq, d, err)
		}
	}
	before := byID(t, ob)
	want := append([]event{}, heads...)
	alert := &outbox.Group{RoutingKey: rk, DedupKey: "storm"}
	for i := 1; i <= storm; i++ {
		rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Sender: oneShot(), Force: true, Group: alert})
		if err != nil || rep.Sent != 1 || rep.Rescheduled != 1 {
			t.Fatalf("the try before new event %d: %s, %v; want the head tried once", i, rep, err)
		}
		ev := event{rk, "storm", map[bool]string{true: "resolve", false: "trigger"}[i%2 == 1], 100 + i}
		d, err := ob.Deliver(t.Context(), oneShot(), ev.entry(s.EventsURL()))
		if err != nil || !d.Queued || d.Response != nil {
			t.Fatalf("new event %d: %+v, %v; want it queued behind the head, unsent", i, d, err)
		}
		want = append(want, ev)
	}
	if n, wantN := len(s.Requests()), len(heads)+storm; n != wantN {
		t.Errorf("%d requests, want %d: one per event queued, one try of the head per new event", n, wantN)
	}
	after := byID(t, ob)
	for id, b := range before {
		a := after[id]
		switch {
		case b.DedupKey == "storm":
			if a.Attempts != b.Attempts+storm || a.Redeliveries != b.Redeliveries || !a.NextAttempt.Equal(b.NextAttempt) {
				t.Errorf("the storm's head: attempts %d, redeliveries %d, next %s; want %d, %d, %s (forced tries keep the backoff)",
					a.Attempts, a.Redeliveries, a.NextAttempt, b.Attempts+storm, b.Redeliveries, b.NextAttempt)
			}
		case a.Attempts != b.Attempts || a.Redeliveries != b.Redeliveries || !a.NextAttempt.Equal(b.NextAttempt):
			t.Errorf("alert %q was touched: %+v, was %+v", b.DedupKey, a, b)
		}
	}
	s.EndOutage()
	clock.advance(time.Hour)
	drain(t, ob, outbox.FlushOptions{})
	checkDelivered(t, s.Emulator, want, false)
}

// A steady 429 with Retry-After: 1 on every routing key. Flushes every
// half second of a virtual clock for 100 s: each routing key gets one
// request (its probe) at a time, and the waits between probes grow: the
// Retry-After is their floor (the first two, where the backoff alone
// would be 0.5 s and 1 s), then they double to the cap, 32 s. The key's
// other alerts are never tried. Once PagerDuty answers, one flush
// delivers everything, and the pacing starts over.
func TestFaultMatrix_Steady429PacesEachKey(t *testing.T) {
	const step, span = 500 * time.Millisecond, 100 * time.Second
	clock := newVirtualClock()
	s := emulatortest.New(t, emulator.Options{Now: clock.Now})
	ob, _, _ := open(t, outbox.Options{Now: clock.Now, BaseDelay: 500 * time.Millisecond, MaxDelay: 32 * time.Second,
		Rand: func() float64 { return 0 }})
	limited := emulator.Outage{For: 24 * time.Hour, Status: 429, RetryAfter: "1"}
	if err := s.StartOutage(limited); err != nil {
		t.Fatal(err)
	}
	groups := map[string]int{routingKey(1): 6, routingKey(2): 3}
	var evs []event
	for rk, n := range groups {
		for g := range n {
			evs = append(evs, event{rk, fmt.Sprintf("dk-%d", g), "trigger", len(evs)})
		}
	}
	for _, ev := range evs {
		if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
			t.Fatal(err)
		}
	}
	start := clock.Now()
	for clock.Now().Sub(start) < span {
		if _, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil {
			t.Fatal(err)
		}
		clock.advance(step)
	}
	s1 := time.Second
	wantGaps := []time.Duration{s1, s1, 2 * s1, 4 * s1, 8 * s1, 16 * s1, 32 * s1, 32 * s1}
	for rk := range groups {
		if got := probeGaps(s.Requests(), rk, start); fmt.Sprint(got) != fmt.Sprint(wantGaps) {
			t.Errorf("routing key %s: waits between requests %v, want %v (one request per probe)", rk[:3], got, wantGaps)
		}
	}
	tried := 0
	for _, e := range byID(t, ob) {
		if e.Attempts > 0 {
			tried++
		}
	}
	if tried != len(groups) {
		t.Errorf("%d alerts were tried, want %d: each key's first, its probe", tried, len(groups))
	}
	s.EndOutage()
	clock.advance(32 * time.Second)
	if rep, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil || rep.Delivered != len(evs) {
		t.Fatalf("the flush after the 429s: %s, %v; want all %d delivered", rep, err, len(evs))
	}
	// Paced from scratch: the next 429 is waited out after the first wait,
	// not after the cap.
	if err := s.StartOutage(limited); err != nil {
		t.Fatal(err)
	}
	clock.advance(step)
	again := event{routingKey(1), "again", "trigger", 99}
	if _, err := ob.Enqueue(again.entry(s.EventsURL())); err != nil {
		t.Fatal(err)
	}
	resumed := clock.Now()
	for range 3 {
		if _, err := ob.Flush(t.Context(), outbox.FlushOptions{}); err != nil {
			t.Fatal(err)
		}
		clock.advance(step)
	}
	if got, want := probeGaps(s.Requests(), routingKey(1), resumed), []time.Duration{s1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a 2xx, the waits between requests are %v, want %v: the pacing starts over", got, want)
	}
}

// probeGaps returns the waits between the requests for routingKey that
// arrived from since on, in the emulator's (virtual) time.
func probeGaps(reqs []emulator.Request, routingKey string, since time.Time) []time.Duration {
	var gaps []time.Duration
	var last time.Time
	for _, r := range reqs {
		if r.RoutingKey != routingKey || r.Time.Before(since) {
			continue
		}
		if !last.IsZero() {
			gaps = append(gaps, r.Time.Sub(last))
		}
		last = r.Time
	}
	return gaps
}

// sendLog is a Sender that records when each send starts and ends.
type sendLog struct {
	mu     sync.Mutex
	events []string // "start <dedup key>" or "end <dedup key>", per routing key
	byKey  map[string][]string
}

func (l *sendLog) note(rk, what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.byKey[rk] = append(l.byKey[rk], what)
}

func (l *sendLog) Send(ctx context.Context, url string, body []byte, secrets ...string) (*delivery.Response, error) {
	rk, dk := secrets[0], bodyDedupKey(body)
	l.note(rk, "start "+dk)
	defer l.note(rk, "end "+dk)
	return oneShot().Send(ctx, url, body, secrets...)
}

// The probe: each routing key gets one request until it is answered.
// During an outage (503, dropped connections, 429), a forced flush sends
// one request per routing key and leaves the key's other alerts untried;
// once PagerDuty answers, the probe's answer comes before any other
// request of its key starts, and everything is delivered in order.
func TestFaultMatrix_ProbeBeforeFanOut(t *testing.T) {
	for name, o := range map[string]emulator.Outage{"503": {}, "dropped": {Drop: true}, "429": {Status: 429}} {
		t.Run(name, func(t *testing.T) {
			s := emulatortest.New(t)
			ob, _, _ := open(t, outbox.Options{})
			evs := pairs(2, 4, 1) // 2 routing keys x 4 alerts, a trigger and a resolve each
			for _, ev := range evs {
				if _, err := ob.Enqueue(ev.entry(s.EventsURL())); err != nil {
					t.Fatal(err)
				}
			}
			o.For = testwait.Limit()
			if err := s.StartOutage(o); err != nil {
				t.Fatal(err)
			}
			for i := range 2 {
				rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Force: true})
				if err != nil || rep.Sent != 2 || rep.Rescheduled != 2 || rep.Deferred != 6 {
					t.Fatalf("forced flush %d during the outage: %s, %v; want 2 sent (a probe per key), 6 alerts deferred", i+1, rep, err)
				}
			}
			tried := 0
			for _, e := range byID(t, ob) {
				if e.Attempts > 0 {
					tried++
				}
			}
			if tried != 2 {
				t.Errorf("%d events were tried, want 2: one probe per key, twice the same", tried)
			}
			s.EndOutage()
			log := &sendLog{byKey: map[string][]string{}}
			rep, err := ob.Flush(t.Context(), outbox.FlushOptions{Force: true, Sender: log})
			if err != nil || rep.Delivered != len(evs) || rep.Pending != 0 {
				t.Fatalf("the flush after the outage: %s, %v; want all %d delivered", rep, err, len(evs))
			}
			for rk, seq := range log.byKey {
				if len(seq) < 3 || seq[1] != "end "+seq[0][len("start "):] {
					t.Errorf("routing key %s: sends %v; want the probe's answer before the next send starts", rk[:3], seq)
				}
			}
			checkDelivered(t, s.Emulator, evs, false)
			checkAlerts(t, s.Emulator, evs)
		})
	}
}
