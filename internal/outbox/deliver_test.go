package outbox_test

// Deliver's rows of the fault matrix: what it sends, what it queues and
// when the queued event is due, for every answer.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/emulator/emulatortest"
	"github.com/fluxpd/fluxpd/internal/outbox"
)

// deliverRow is one row of Deliver's fault matrix.
type deliverRow struct {
	name   string
	faults []emulator.Fault
	// waiting queues an event of the same alert first; retries is the
	// sender's MaxRetries; url replaces the emulator's; ctx spoils the
	// context.
	waiting bool
	retries int
	url     string
	ctx     func(context.Context) context.Context

	wantRequests int
	wantQueued   bool
	wantStatus   int
	wantKind     delivery.Kind // of Delivery.Err; 0: no error
	wantReason   string        // Delivery.Reason's start
	// For a queued event: when it is due after now, its stored status,
	// attempts and reason's start.
	wantNext       time.Duration
	wantAttempts   int
	wantLastReason string
}

var deliverMatrix = func() []deliverRow {
	const base = 10 * time.Second
	retryAfter := func(status int, v string) emulator.Fault {
		return emulator.Fault{Status: status, Header: map[string]string{"Retry-After": v}}
	}
	canceled := func(ctx context.Context) context.Context {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx
	}
	spent := func(ctx context.Context) context.Context {
		ctx, cancel := context.WithDeadline(ctx, time.Unix(0, 0))
		_ = cancel // ends with the test's context
		return ctx
	}
	return []deliverRow{
		{name: "202: sent, not queued", wantRequests: 1, wantStatus: 202},
		{name: "400: refused, not queued", faults: []emulator.Fault{{Status: 400}}, wantRequests: 1, wantStatus: 400, wantKind: delivery.KindHTTP},
		{name: "404: refused, not queued", faults: []emulator.Fault{{Status: 404}}, wantRequests: 1, wantStatus: 404, wantKind: delivery.KindHTTP},
		{name: "501: refused, not queued", faults: []emulator.Fault{{Status: 501}}, wantRequests: 1, wantStatus: 501, wantKind: delivery.KindHTTP},
		{name: "307: a redirect is not queued", faults: []emulator.Fault{{Status: 307, Header: map[string]string{"Location": "http://127.0.0.1:1/"}}},
			wantRequests: 1, wantStatus: 307, wantKind: delivery.KindRedirect},
		{name: "an invalid URL: nothing sent or queued", url: "ftp://127.0.0.1/v2/enqueue", wantKind: delivery.KindInvalidURL},
		{name: "a canceled send is not queued", ctx: canceled, wantKind: delivery.KindCanceled},

		{name: "429: queued after the base", faults: []emulator.Fault{{Status: 429}}, wantRequests: 1, wantQueued: true, wantStatus: 429,
			wantKind: delivery.KindHTTP, wantReason: "queued for redelivery: PagerDuty answered 429 Too Many Requests",
			wantNext: base, wantAttempts: 1, wantLastReason: "PagerDuty answered 429 Too Many Requests"},
		{name: "429 with a longer Retry-After: queued after it", faults: []emulator.Fault{retryAfter(429, "120")}, wantRequests: 1, wantQueued: true, wantStatus: 429,
			wantKind: delivery.KindHTTP, wantNext: 2 * time.Minute, wantAttempts: 1},
		{name: "503 with a shorter Retry-After: the base is the floor", faults: []emulator.Fault{retryAfter(503, "1")}, wantRequests: 1, wantQueued: true, wantStatus: 503,
			wantKind: delivery.KindHTTP, wantNext: base, wantAttempts: 1},
		{name: "429 with a Retry-After over the cap: MaxRetryAfter", faults: []emulator.Fault{retryAfter(429, "86400")}, wantRequests: 1, wantQueued: true, wantStatus: 429,
			wantKind: delivery.KindHTTP, wantNext: outbox.MaxRetryAfter, wantAttempts: 1},
		{name: "500, 502 after retries: every attempt counted", faults: []emulator.Fault{{Status: 500}, {Status: 502}}, retries: 1, wantRequests: 2, wantQueued: true, wantStatus: 502,
			wantKind: delivery.KindHTTP, wantNext: base, wantAttempts: 2, wantLastReason: "PagerDuty answered 502 Bad Gateway"},
		{name: "504: queued", faults: []emulator.Fault{{Status: 504}}, wantRequests: 1, wantQueued: true, wantStatus: 504, wantKind: delivery.KindHTTP, wantNext: base, wantAttempts: 1},
		{name: "no answer: queued without a status", faults: []emulator.Fault{{Drop: true}}, wantRequests: 1, wantQueued: true,
			wantKind: delivery.KindTransport, wantReason: "queued for redelivery: failed to post event to PagerDuty", wantNext: base, wantAttempts: 1,
			wantLastReason: "failed to post event to PagerDuty at http://127.0.0.1:"},
		{name: "half an answer: queued", faults: []emulator.Fault{{Status: 503, DropAfter: 11}}, wantRequests: 1, wantQueued: true,
			wantKind: delivery.KindTransport, wantNext: base, wantAttempts: 1},
		{name: "a spent deadline: queued, unsent, as one attempt", ctx: spent, wantQueued: true, wantKind: delivery.KindCanceled,
			wantNext: base, wantAttempts: 1},
		{name: "behind a waiting alert: queued unsent", waiting: true, wantQueued: true,
			wantReason: "queued behind earlier events for this dedup key still waiting for redelivery", wantLastReason: "queued behind earlier events"},
	}
}()

func TestDeliver_FaultMatrix(t *testing.T) {
	now := time.Date(2026, 12, 4, 22, 0, 0, 0, time.UTC)
	for _, tt := range deliverMatrix {
		t.Run(tt.name, func(t *testing.T) {
			s := emulatortest.New(t)
			s.Inject(tt.faults...)
			ob, _, sink := open(t, outbox.Options{Now: func() time.Time { return now }, BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Hour, Rand: func() float64 { return 0 }})
			url := s.EventsURL()
			if tt.url != "" {
				url = tt.url
			}
			if tt.waiting {
				if _, err := ob.Enqueue(event{routingKey(1), "db01/cpu", "trigger", 1}.entry(url)); err != nil {
					t.Fatal(err)
				}
			}
			ctx := t.Context()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			snd := oneShot()
			snd.Policy.MaxRetries = tt.retries
			e := event{routingKey(1), "db01/cpu", "resolve", 2}.entry(url)
			d, err := ob.Deliver(ctx, snd, e)
			if err != nil {
				t.Fatalf("Deliver: the outbox failed: %v", err)
			}
			checkDelivery(t, tt, d)
			if n := len(s.Requests()); n != tt.wantRequests {
				t.Errorf("the emulator received %d requests, want %d", n, tt.wantRequests)
			}
			list, err := ob.List()
			if err != nil {
				t.Fatal(err)
			}
			if !tt.wantQueued {
				if len(list) != map[bool]int{true: 1}[tt.waiting] {
					t.Errorf("the outbox holds %d events; want none queued", len(list))
				}
				return
			}
			checkQueued(t, tt, list[len(list)-1], d, now, e.Body)
			if !strings.Contains(sink.String(), "outbox: queued #") || strings.Contains(sink.String(), routingKey(1)) {
				t.Errorf("the log does not say the event was queued, keys masked:\n%s", sink)
			}
		})
	}
}

func checkDelivery(t *testing.T, tt deliverRow, d outbox.Delivery) {
	t.Helper()
	if d.Queued != tt.wantQueued || d.Status() != tt.wantStatus || (d.ID != 0) != tt.wantQueued || !strings.HasPrefix(d.Reason, tt.wantReason) {
		t.Errorf("Delivery: queued %v (#%d), status %d, reason %q; want queued %v, status %d, reason %q…",
			d.Queued, d.ID, d.Status(), d.Reason, tt.wantQueued, tt.wantStatus, tt.wantReason)
	}
	var de *delivery.Error
	switch {
	case tt.wantKind == 0 && d.Err != nil:
		t.Errorf("Delivery.Err = %v, want none", d.Err)
	case tt.wantKind != 0 && (!errors.As(d.Err, &de) || de.Kind != tt.wantKind):
		t.Errorf("Delivery.Err = %v, want a %s error", d.Err, tt.wantKind)
	}
	if tt.waiting && (d.Response != nil || d.Err != nil) {
		t.Errorf("an event queued unsent has an answer: %+v", d)
	}
	if !tt.waiting && tt.wantStatus != 0 && d.Response == nil {
		t.Errorf("the answer %d is not in the Delivery", tt.wantStatus)
	}
}

func checkQueued(t *testing.T, tt deliverRow, e outbox.Entry, d outbox.Delivery, now time.Time, body []byte) {
	t.Helper()
	if e.ID != d.ID || string(e.Body) != string(body) || !e.Created.Equal(now) {
		t.Errorf("the queued entry #%d (created %s) is not the event delivered as #%d", e.ID, e.Created, d.ID)
	}
	if got := e.NextAttempt.Sub(now); got != tt.wantNext {
		t.Errorf("the queued event is due in %s, want %s", got, tt.wantNext)
	}
	if e.LastStatus != tt.wantStatus || e.Attempts != tt.wantAttempts || !strings.HasPrefix(e.LastReason, tt.wantLastReason) {
		t.Errorf("stored: status %d, %d attempts, reason %q; want %d, %d, %q…", e.LastStatus, e.Attempts, e.LastReason, tt.wantStatus, tt.wantAttempts, tt.wantLastReason)
	}
	if tt.waiting && e.Behind == 0 {
		t.Errorf("the event queued behind its alert has no head")
	}
}

// Deliver keeps the time the caller says an event was first tried, so
// that MaxAge counts from it.
func TestDeliver_KeepsCreated(t *testing.T) {
	s := emulatortest.New(t)
	s.Inject(emulator.Fault{Status: http.StatusServiceUnavailable})
	ob, _, _ := open(t, outbox.Options{})
	e := event{routingKey(1), "db01/cpu", "trigger", 1}.entry(s.EventsURL())
	e.Created = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if d, err := ob.Deliver(t.Context(), oneShot(), e); err != nil || !d.Queued {
		t.Fatalf("Deliver = %+v, %v", d, err)
	}
	list, _ := ob.List()
	if len(list) != 1 || !list[0].Created.Equal(e.Created) {
		t.Errorf("stored %+v, want created %s", list, e.Created)
	}
}

// An event that must wait behind its alert but cannot be stored is not
// said to be queued: the outbox's error says why.
func TestDeliver_BehindButNotStored(t *testing.T) {
	ob, _, _ := open(t, outbox.Options{})
	if _, err := ob.Enqueue(event{routingKey(1), "db01/cpu", "trigger", 1}.entry(unreachable)); err != nil {
		t.Fatal(err)
	}
	e := event{routingKey(1), "db01/cpu", "resolve", 2}.entry(unreachable)
	e.Body = nil
	d, err := ob.Deliver(t.Context(), refuseToSend(t), e)
	if err == nil || d.Queued || d.ID != 0 {
		t.Errorf("Deliver = %+v, %v; want the outbox's error and nothing queued", d, err)
	}
}
