package delivery_test

import (
	"context"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
)

// TestBackoff_Stretch: the outbox's jitter never waits less than the
// ceiling and at most Stretch more.
func TestBackoff_Stretch(t *testing.T) {
	const s = time.Second
	fixed := func(r float64) func() float64 { return func() float64 { return r } }
	tests := []struct {
		name string
		n    int
		rnd  float64
		want time.Duration
	}{
		{name: "first, no jitter drawn", n: 0, rnd: 0, want: 30 * s},
		{name: "first, half of 20%", n: 0, rnd: 0.5, want: 33 * s},
		{name: "third", n: 2, rnd: 0, want: 120 * s},
		{name: "capped", n: 10, rnd: 0.5, want: 660 * s},
		{name: "rand out of range", n: 1, rnd: -1, want: 60 * s},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := delivery.Backoff{Base: 30 * s, Max: 10 * time.Minute, Stretch: 0.2, Rand: fixed(tt.rnd)}
			if got := b.Wait(tt.n); got != tt.want {
				t.Errorf("Wait(%d) with rand %v = %v, want %v", tt.n, tt.rnd, got, tt.want)
			}
		})
	}
	huge := delivery.Backoff{Base: s, Max: math.MaxInt64, Stretch: 0.2, Rand: fixed(0.9)}
	if got := huge.Wait(70); got != math.MaxInt64 {
		t.Errorf("a stretched ceiling beyond the largest Duration = %v, want it saturated", got)
	}
}

func TestBackoff_WaitAtLeast(t *testing.T) {
	b := delivery.Backoff{Base: 2 * time.Second, Max: time.Minute, Stretch: 0.2, Rand: func() float64 { return 0 }}
	for _, tt := range []struct {
		n           int
		floor, want time.Duration
	}{
		{n: 0, floor: time.Second, want: 2 * time.Second},     // the backoff is longer
		{n: 0, floor: 5 * time.Second, want: 5 * time.Second}, // Retry-After is the floor
		{n: 3, floor: 5 * time.Second, want: 16 * time.Second},
	} {
		if got := b.WaitAtLeast(tt.n, tt.floor); got != tt.want {
			t.Errorf("WaitAtLeast(%d, %v) = %v, want %v", tt.n, tt.floor, got, tt.want)
		}
	}
}

func TestResponse_Reason(t *testing.T) {
	long := strings.Repeat("é", 150) // 300 bytes
	tests := []struct {
		name string
		resp delivery.Response
		want string
	}{
		{name: "message and errors", resp: delivery.Response{Message: "Event object is invalid", Errors: []string{"a", "b"}}, want: "Event object is invalid: a; b"},
		{name: "errors only", resp: delivery.Response{Errors: []string{"a"}}, want: "a"},
		{name: "message only", resp: delivery.Response{Message: "m", Body: "ignored"}, want: "m"},
		{name: "body on one line", resp: delivery.Response{Body: " <html>\n  <b>busy</b>\n</html> "}, want: "<html> <b>busy</b> </html>"},
		{name: "long body cut on a rune", resp: delivery.Response{Body: long}, want: strings.Repeat("é", 100) + "…"},
		{name: "nothing", resp: delivery.Response{}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.resp.Reason(); got != tt.want {
				t.Errorf("Reason() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSummarize checks the one status, attempts, Retry-After and reason
// callers take from what Send returned, for real sends.
func TestSummarize(t *testing.T) {
	limited := emulator.Fault{Status: 429, Header: map[string]string{"Retry-After": "7"}, Body: `{"status":"throttle event","message":"Requests for this service are arriving too quickly.  Please retry later."}`}
	tests := []struct {
		name   string
		faults []emulator.Fault
		want   delivery.Summary
	}{
		{name: "accepted", want: delivery.Summary{Status: 202, Attempts: 1}},
		{name: "400", faults: []emulator.Fault{{Status: 400, Body: invalidBody}},
			want: delivery.Summary{Status: 400, Attempts: 1, Reason: "PagerDuty answered 400 Bad Request: Event object is invalid: 'payload.source' is missing or blank"}},
		{name: "429 with Retry-After", faults: []emulator.Fault{limited},
			want: delivery.Summary{Status: 429, Attempts: 1, RetryAfter: 7 * time.Second, Reason: "PagerDuty answered 429 Too Many Requests: Requests for this service are arriving too quickly.  Please retry later."}},
		{name: "503 with an HTML page", faults: []emulator.Fault{{Status: 503, Body: "<html>\nbusy\n</html>"}},
			want: delivery.Summary{Status: 503, Attempts: 1, Reason: "PagerDuty answered 503 Service Unavailable: <html> busy </html>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			resp, err := (&delivery.Sender{}).Send(context.Background(), emu.EventsURL(), eventBody, routingKey)
			if diff := cmp.Diff(tt.want, delivery.Summarize(resp, err)); diff != "" {
				t.Errorf("Summarize mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSummarize_NoAnswer: without an answer, the status is the error's
// (0) and the reason is the error's text; an error that is not a
// *delivery.Error is kept as it is.
func TestSummarize_NoAnswer(t *testing.T) {
	e := &delivery.Error{Kind: delivery.KindTransport, Attempts: 2, URL: "http://127.0.0.1:1/v2/enqueue", Err: io.EOF}
	want := delivery.Summary{Attempts: 2, Reason: e.Error()}
	if diff := cmp.Diff(want, delivery.Summarize(nil, e)); diff != "" {
		t.Errorf("Summarize of a transport error mismatch (-want +got):\n%s", diff)
	}
	other := errors.New("deadline spent")
	if got := delivery.Summarize(nil, other); got != (delivery.Summary{Reason: "deadline spent"}) {
		t.Errorf("Summarize of a plain error = %+v", got)
	}
	httpErr := &delivery.Error{Kind: delivery.KindHTTP, StatusCode: 503, Attempts: 4, RetryAfter: time.Second, Message: "down"}
	want = delivery.Summary{Status: 503, Attempts: 4, RetryAfter: time.Second, Reason: "PagerDuty answered 503 Service Unavailable: down"}
	if diff := cmp.Diff(want, delivery.Summarize(nil, httpErr)); diff != "" {
		t.Errorf("Summarize of an HTTP error without its Response mismatch (-want +got):\n%s", diff)
	}
}
