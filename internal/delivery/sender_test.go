package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/redact"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// asError returns err as a *delivery.Error or fails the test.
func asError(t *testing.T, err error) *delivery.Error {
	t.Helper()
	var e *delivery.Error
	if !errors.As(err, &e) {
		t.Fatalf("Send() error = %v (%T), want *delivery.Error", err, err)
	}
	return e
}

func TestSender_Send_Accepted(t *testing.T) {
	emu := newEmulator(t)
	clock := newFakeClock()
	resp, err := newSender(t, clock).Send(context.Background(), emu.EventsURL(), eventBody, routingKey)
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	want := &delivery.Response{
		StatusCode: 202, Message: "Event processed", DedupKey: "srv01/HTTP",
		Body: emulatorAccepted, Attempts: 1,
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
	}
	wantReqs := []received{{
		Method: "POST", Path: "/v2/enqueue", Body: string(eventBody),
		ContentType: "application/json", Accept: "application/vnd.pagerduty+json;version=2",
		UserAgent: "fluxpd-test/1.0",
	}}
	if diff := cmp.Diff(wantReqs, requests(emu)); diff != "" {
		t.Errorf("received requests mismatch (-want +got):\n%s", diff)
	}
	if got := emu.Requests()[0].Verdict; got != emulator.VerdictAccepted {
		t.Errorf("emulator verdict = %s, want %s", got, emulator.VerdictAccepted)
	}
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait", got)
	}
}

func TestSender_Send_DefaultUserAgent(t *testing.T) {
	emu := newEmulator(t)
	s := newSender(t, newFakeClock())
	s.UserAgent = ""
	if _, err := s.Send(context.Background(), emu.EventsURL(), eventBody); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if got := requests(emu)[0].UserAgent; got != delivery.DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", got, delivery.DefaultUserAgent)
	}
}

// TestSender_Send_Retries runs queued faults against the fake clock and
// checks the answer, the error kind, the attempts and the waits. A fault
// meant to last is queued more often than any Send tries, so that an extra
// attempt shows up as an extra request.
func TestSender_Send_Retries(t *testing.T) {
	const s = time.Second
	// The deadline rows count in limits: what remains of the deadline
	// bounds each attempt in real time, so it must never be short enough
	// for a slow machine to reach.
	limit := testwait.Limit()
	unavailable := times(5, emulator.Fault{Status: 503, Body: `{"status":"unavailable"}`})
	tests := []struct {
		name       string
		policy     func(*delivery.Policy)
		faults     []emulator.Fault // then the emulator's 202
		wantStatus int
		wantKind   delivery.Kind // 0: success
		wantWaits  []time.Duration
	}{
		{name: "500 then 202", faults: []emulator.Fault{{Status: 500}},
			wantStatus: 202, wantWaits: []time.Duration{s / 2}},
		{name: "503 four times", faults: unavailable,
			wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{s / 2, s, 2 * s}},
		{name: "502 and 504 then 202", faults: []emulator.Fault{{Status: 502}, {Status: 504}},
			wantStatus: 202, wantWaits: []time.Duration{s / 2, s}},
		{name: "zero MaxRetries means no retries", policy: func(p *delivery.Policy) { p.MaxRetries = 0 },
			faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP},
		{name: "negative MaxRetries means no retries", policy: func(p *delivery.Policy) { p.MaxRetries = -1 },
			faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP},
		{name: "zero Policy: one attempt", policy: func(p *delivery.Policy) { *p = delivery.Policy{} },
			faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP},
		{name: "zero delays: retried at once", policy: func(p *delivery.Policy) { p.BaseDelay, p.MaxDelay = 0, 0 },
			faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{0, 0, 0}},
		{name: "zero Deadline and AttemptTimeout: no bound", policy: func(p *delivery.Policy) { p.Deadline, p.AttemptTimeout = 0, 0 },
			faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{s / 2, s, 2 * s}},
		{name: "501 not retried", faults: times(5, emulator.Fault{Status: 501}), wantStatus: 501, wantKind: delivery.KindHTTP},
		{name: "404 not retried", faults: times(5, emulator.Fault{Status: 404}), wantStatus: 404, wantKind: delivery.KindHTTP},
		{name: "200 is success", faults: []emulator.Fault{{Status: 200}}, wantStatus: 200},
		{name: "deadline stops backoff", policy: func(p *delivery.Policy) {
			p.BaseDelay, p.MaxDelay, p.Deadline = limit, 30*limit, 5*limit/2
		}, faults: unavailable, wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{limit / 2, limit}},
		{name: "deadline stops Retry-After", policy: func(p *delivery.Policy) { p.Deadline, p.MaxRetryAfter = limit, 4*limit },
			faults:     times(5, emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": secondsOf(2 * limit)}}),
			wantStatus: 503, wantKind: delivery.KindHTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			clock := newFakeClock()
			sender := newSender(t, clock)
			if tt.policy != nil {
				tt.policy(&sender.Policy)
			}
			resp, err := sender.Send(context.Background(), emu.EventsURL(), eventBody)
			attempts := len(tt.wantWaits) + 1
			if tt.wantKind == 0 && err != nil {
				t.Fatalf("Send() error = %v, want nil", err)
			}
			if tt.wantKind != 0 {
				e := asError(t, err)
				if e.Kind != tt.wantKind || e.Attempts != attempts || e.StatusCode != tt.wantStatus {
					t.Errorf("Send() error = %v %+v, want kind %v, %d attempts, status %d", err, e, tt.wantKind, attempts, tt.wantStatus)
				}
			}
			if resp == nil || resp.StatusCode != tt.wantStatus || resp.Attempts != attempts {
				t.Errorf("Send() response = %+v, want status %d after %d attempts", resp, tt.wantStatus, attempts)
			}
			if diff := cmp.Diff(tt.wantWaits, clock.slept()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			assertIdenticalBodies(t, emu, attempts)
		})
	}
}

// assertIdenticalBodies checks that n requests arrived, all with the event body.
func assertIdenticalBodies(t *testing.T, emu *emulator.Server, n int) {
	t.Helper()
	reqs := requests(emu)
	if len(reqs) != n {
		t.Errorf("received %d requests, want %d", len(reqs), n)
	}
	for i, r := range reqs {
		if r.Body != string(eventBody) {
			t.Errorf("request %d body = %q, want the identical event body", i+1, r.Body)
		}
	}
}

func TestSender_Send_RateLimited(t *testing.T) {
	const s = time.Second
	retryAfter := func(v string) emulator.Fault {
		return emulator.Fault{Status: 429, Header: map[string]string{"Retry-After": v}, Body: "{}"}
	}
	tests := []struct {
		name      string
		faults    []emulator.Fault // then the emulator's 202
		wantWaits []time.Duration
		wantErr   bool
	}{
		{name: "Retry-After seconds", faults: []emulator.Fault{retryAfter("2")}, wantWaits: []time.Duration{2 * s}},
		{name: "Retry-After HTTP date", faults: []emulator.Fault{retryAfter(start.Add(4 * s).Format(http.TimeFormat))}, wantWaits: []time.Duration{4 * s}},
		{name: "Retry-After zero", faults: []emulator.Fault{retryAfter("0")}, wantWaits: []time.Duration{0}},
		{name: "Retry-After capped", faults: []emulator.Fault{retryAfter("3600")}, wantWaits: []time.Duration{5 * s}},
		{name: "Retry-After garbage falls back to backoff", faults: []emulator.Fault{retryAfter("later")}, wantWaits: []time.Duration{s / 2}},
		{name: "no Retry-After", faults: []emulator.Fault{{Status: 429}}, wantWaits: []time.Duration{s / 2}},
		{name: "rate limited throughout", faults: times(5, retryAfter("1")), wantWaits: []time.Duration{s, s, s}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			clock := newFakeClock()
			sender := newSender(t, clock)
			sender.Policy.MaxRetryAfter = 5 * s
			resp, err := sender.Send(context.Background(), emu.EventsURL(), eventBody)
			if diff := cmp.Diff(tt.wantWaits, clock.slept()); diff != "" {
				t.Errorf("waits mismatch (-want +got):\n%s", diff)
			}
			if !tt.wantErr {
				if err != nil || resp.StatusCode != 202 {
					t.Errorf("Send() = %+v, %v; want 202, nil", resp, err)
				}
				return
			}
			e := asError(t, err)
			if e.Kind != delivery.KindHTTP || e.StatusCode != 429 || !e.Temporary() || resp.StatusCode != 429 {
				t.Errorf("Send() = %+v, %v; want 429 and a rate-limited, temporary error", resp, err)
			}
			if e.RetryAfter != s || resp.RetryAfter != s {
				t.Errorf("RetryAfter = %v on the error, %v on the answer; want the last answer's %v, uncapped, on both", e.RetryAfter, resp.RetryAfter, s)
			}
			const wantMsg = "PagerDuty rejected the event (429 Too Many Requests) after 4 attempts"
			if err.Error() != wantMsg {
				t.Errorf("Send() error = %q, want %q", err, wantMsg)
			}
		})
	}
}

func TestSender_Send_BadRequest(t *testing.T) {
	emu := newEmulator(t, times(5, emulator.Fault{Status: 400, Body: invalidBody})...)
	clock := newFakeClock()
	resp, err := newSender(t, clock).Send(context.Background(), emu.EventsURL(), eventBody, routingKey)
	wantResp := &delivery.Response{
		StatusCode: 400, Message: "Event object is invalid",
		Errors: []string{"'payload.source' is missing or blank"}, Body: invalidBody, Attempts: 1,
	}
	if diff := cmp.Diff(wantResp, resp); diff != "" {
		t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
	}
	e := asError(t, err)
	const wantMsg = "PagerDuty rejected the event (400 Bad Request): Event object is invalid: 'payload.source' is missing or blank"
	if err.Error() != wantMsg {
		t.Errorf("Send() error = %q, want %q", err, wantMsg)
	}
	if e.StatusCode != 400 || e.Temporary() || e.Kind != delivery.KindHTTP || e.Attempts != 1 {
		t.Errorf("Send() error = %+v, want a permanent bad request after 1 attempt", e)
	}
	if got := len(emu.Requests()); got != 1 {
		t.Errorf("received %d requests, want exactly 1", got)
	}
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait", got)
	}
}

func TestSender_Send_UnparseableAccepted(t *testing.T) {
	tests := []struct{ name, body string }{
		{name: "not JSON", body: "<html>ok</html>"},
		{name: "truncated JSON", body: `{"status":"succ`},
		{name: "wrong types", body: `{"status":1,"errors":"x"}`},
		{name: "trailing data", body: `{"message":"m"} x`},
		{name: "array", body: `["message"]`},
		{name: "empty", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := emulator.Fault{Status: 202, Body: tt.body}
			if tt.body == "" { // an empty Fault.Body means the emulator's own; a zero length sends none
				f.Header = map[string]string{"Content-Length": "0"}
			}
			emu := newEmulator(t, f)
			resp, err := newSender(t, newFakeClock()).Send(context.Background(), emu.EventsURL(), eventBody)
			if err != nil {
				t.Fatalf("Send() error = %v, want success", err)
			}
			want := &delivery.Response{StatusCode: 202, Body: tt.body, Attempts: 1}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSender_Send_KeepAlive checks that answers are drained and closed, so
// that every attempt and every call reuse one connection.
func TestSender_Send_KeepAlive(t *testing.T) {
	emu := newEmulator(t, append([]emulator.Fault{{Status: 503, Body: strings.Repeat("x", 10000)}, {Status: 202, Body: acceptedBody}},
		times(4, emulator.Fault{Status: 400, Body: invalidBody})...)...)
	sender := newSender(t, newFakeClock())
	for range 5 {
		_, _ = sender.Send(context.Background(), emu.EventsURL(), eventBody)
	}
	if got, n := emu.Connections(), len(emu.Requests()); got != 1 || n != 6 {
		t.Errorf("opened %d connections for %d requests, want 1 for 6", got, n)
	}
}

// TestSender_Send_MasksAnswers checks that what Send returns is masked on
// every path, success included: a server echoing the secrets handed to
// Send cannot make them reach the caller.
func TestSender_Send_MasksAnswers(t *testing.T) {
	const other = "another-secret-value"
	echo := `{"status":"success","message":"got ` + routingKey + `","dedup_key":"` + other + `","errors":["` + routingKey + `"]}`
	for _, status := range []int{202, 400, 503} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			emu := newEmulator(t, times(5, emulator.Fault{Status: status, Body: echo})...)
			resp, err := newSender(t, newFakeClock()).Send(context.Background(), emu.EventsURL(), eventBody, routingKey, other)
			if resp == nil {
				t.Fatalf("Send() response = nil, error %v; want the answer", err)
			}
			key, masked := redact.Key(routingKey), redact.Key(other)
			want := &delivery.Response{
				StatusCode: status, Message: "got " + key, DedupKey: masked, Errors: []string{key}, Attempts: resp.Attempts,
				Body: `{"status":"success","message":"got ` + key + `","dedup_key":"` + masked + `","errors":["` + key + `"]}`,
			}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
			}
			if err != nil {
				assertNoSecret(t, err, resp, routingKey, other)
			}
		})
	}
}
