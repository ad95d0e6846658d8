package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fluxpd/fluxpd/internal/delivery"
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
	rcv := newReceiver(t, step{status: http.StatusAccepted, body: acceptedBody})
	clock := newFakeClock()
	resp, err := newSender(t, clock).Send(context.Background(), rcv.URL, eventBody, routingKey)
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	want := &delivery.Response{
		StatusCode: 202, Status: "success", Message: "Event processed", DedupKey: "srv01/HTTP",
		Body: acceptedBody, Attempts: 1,
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("Send() response mismatch (-want +got):\n%s", diff)
	}
	wantReqs := []received{{
		Method: "POST", Path: "/v2/enqueue", Body: string(eventBody),
		ContentType: "application/json", Accept: "application/vnd.pagerduty+json;version=2",
		UserAgent: "fluxpd-test/1.0",
	}}
	if diff := cmp.Diff(wantReqs, rcv.requests()); diff != "" {
		t.Errorf("received requests mismatch (-want +got):\n%s", diff)
	}
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait", got)
	}
}

func TestSender_Send_DefaultUserAgent(t *testing.T) {
	rcv := newReceiver(t, step{status: http.StatusAccepted, body: acceptedBody})
	s := newSender(t, newFakeClock())
	s.UserAgent = ""
	if _, err := s.Send(context.Background(), rcv.URL, eventBody); err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if got := rcv.requests()[0].UserAgent; got != delivery.DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", got, delivery.DefaultUserAgent)
	}
}

// TestSender_Send_Retries runs scripted answers against the fake clock and
// checks the answer, the error kind, the attempts and the waits.
func TestSender_Send_Retries(t *testing.T) {
	const s = time.Second
	unavailable := step{status: 503, body: `{"status":"unavailable"}`}
	accepted := step{status: 202, body: acceptedBody}
	tests := []struct {
		name       string
		policy     func(*delivery.Policy)
		steps      []step
		wantStatus int
		wantKind   delivery.Kind // 0: success
		wantWaits  []time.Duration
	}{
		{name: "500 then 202", steps: []step{{status: 500}, accepted},
			wantStatus: 202, wantWaits: []time.Duration{s / 2}},
		{name: "503 four times", steps: []step{unavailable},
			wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{s / 2, s, 2 * s}},
		{name: "502 and 504 then 202", steps: []step{{status: 502}, {status: 504}, accepted},
			wantStatus: 202, wantWaits: []time.Duration{s / 2, s}},
		{name: "no retries", policy: func(p *delivery.Policy) { p.MaxRetries = delivery.NoRetries },
			steps: []step{unavailable}, wantStatus: 503, wantKind: delivery.KindHTTP},
		{name: "zero MaxRetries means default", policy: func(p *delivery.Policy) { p.MaxRetries = 0 },
			steps: []step{unavailable}, wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{s / 2, s, 2 * s}},
		{name: "501 not retried", steps: []step{{status: 501}}, wantStatus: 501, wantKind: delivery.KindHTTP},
		{name: "404 not retried", steps: []step{{status: 404}}, wantStatus: 404, wantKind: delivery.KindHTTP},
		{name: "200 is success", steps: []step{{status: 200}}, wantStatus: 200},
		{name: "deadline stops backoff", policy: func(p *delivery.Policy) { p.Deadline = 2500 * time.Millisecond },
			steps: []step{unavailable}, wantStatus: 503, wantKind: delivery.KindHTTP, wantWaits: []time.Duration{s / 2, s}},
		{name: "deadline stops Retry-After", policy: func(p *delivery.Policy) { p.Deadline = 5 * s },
			steps:      []step{{status: 503, header: map[string]string{"Retry-After": "10"}}},
			wantStatus: 503, wantKind: delivery.KindHTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.steps...)
			clock := newFakeClock()
			sender := newSender(t, clock)
			if tt.policy != nil {
				tt.policy(&sender.Policy)
			}
			resp, err := sender.Send(context.Background(), rcv.URL, eventBody)
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
			assertIdenticalBodies(t, rcv, attempts)
		})
	}
}

// assertIdenticalBodies checks that n requests arrived, all with the event body.
func assertIdenticalBodies(t *testing.T, rcv *receiver, n int) {
	t.Helper()
	reqs := rcv.requests()
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
	retryAfter := func(v string) step {
		return step{status: 429, header: map[string]string{"Retry-After": v}}
	}
	accepted := step{status: 202, body: acceptedBody}
	tests := []struct {
		name      string
		steps     []step
		wantWaits []time.Duration
		wantErr   bool
	}{
		{name: "Retry-After seconds", steps: []step{retryAfter("2"), accepted}, wantWaits: []time.Duration{2 * s}},
		{name: "Retry-After HTTP date", steps: []step{retryAfter(start.Add(4 * s).Format(http.TimeFormat)), accepted}, wantWaits: []time.Duration{4 * s}},
		{name: "Retry-After zero", steps: []step{retryAfter("0"), accepted}, wantWaits: []time.Duration{0}},
		{name: "Retry-After capped", steps: []step{retryAfter("3600"), accepted}, wantWaits: []time.Duration{5 * s}},
		{name: "Retry-After garbage falls back to backoff", steps: []step{retryAfter("later"), accepted}, wantWaits: []time.Duration{s / 2}},
		{name: "no Retry-After", steps: []step{{status: 429}, accepted}, wantWaits: []time.Duration{s / 2}},
		{name: "rate limited throughout", steps: []step{retryAfter("1")}, wantWaits: []time.Duration{s, s, s}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.steps...)
			clock := newFakeClock()
			sender := newSender(t, clock)
			sender.Policy.MaxRetryAfter = 5 * s
			resp, err := sender.Send(context.Background(), rcv.URL, eventBody)
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
			if !e.RateLimited() || !e.Temporary() || e.BadRequest() || resp.StatusCode != 429 {
				t.Errorf("Send() = %+v, %v; want 429 and a rate-limited, temporary error", resp, err)
			}
			const wantMsg = "PagerDuty rejected the event (429 Too Many Requests) after 4 attempts"
			if err.Error() != wantMsg {
				t.Errorf("Send() error = %q, want %q", err, wantMsg)
			}
		})
	}
}

func TestSender_Send_BadRequest(t *testing.T) {
	rcv := newReceiver(t, step{status: 400, body: invalidBody})
	clock := newFakeClock()
	resp, err := newSender(t, clock).Send(context.Background(), rcv.URL, eventBody, routingKey)
	wantResp := &delivery.Response{
		StatusCode: 400, Status: "invalid event", Message: "Event object is invalid",
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
	if !e.BadRequest() || e.Temporary() || e.RateLimited() || e.Kind != delivery.KindHTTP || e.Attempts != 1 {
		t.Errorf("Send() error = %+v, want a permanent bad request after 1 attempt", e)
	}
	if got := len(rcv.requests()); got != 1 {
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
		{name: "empty", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, step{status: 202, body: tt.body})
			resp, err := newSender(t, newFakeClock()).Send(context.Background(), rcv.URL, eventBody)
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
	rcv := newReceiver(t, step{status: 503, body: strings.Repeat("x", 10000)}, step{status: 202, body: acceptedBody},
		step{status: 400, body: invalidBody})
	sender := newSender(t, newFakeClock())
	for range 5 {
		_, _ = sender.Send(context.Background(), rcv.URL, eventBody)
	}
	if got := rcv.connections(); got != 1 {
		t.Errorf("opened %d connections for %d requests, want 1", got, len(rcv.requests()))
	}
}
