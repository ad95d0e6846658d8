package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
)

// closedURL returns an alert endpoint on 127.0.0.1 where nothing listens.
func closedURL(t *testing.T) (string, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr + "/v2/enqueue", addr
}

func TestSender_Send_ConnectionRefused(t *testing.T) {
	url, addr := closedURL(t)
	clock := newFakeClock()
	resp, err := newSender(t, clock).Send(context.Background(), url, eventBody)
	if resp != nil {
		t.Errorf("Send() response = %+v, want nil", resp)
	}
	e := asError(t, err)
	want := fmt.Sprintf("failed to post event to PagerDuty at %s after 4 attempts: dial tcp %s: connect: connection refused", url, addr)
	if err.Error() != want {
		t.Errorf("Send() error = %q, want %q", err, want)
	}
	if e.Kind != delivery.KindTransport || e.Attempts != 4 || !e.Temporary() || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Send() error = %+v, want a temporary transport error after 4 attempts wrapping ECONNREFUSED", e)
	}
	if got := len(clock.slept()); got != 3 {
		t.Errorf("waited %d times, want 3", got)
	}
}

func TestSender_Send_ConnectionDropped(t *testing.T) {
	accepted := step{status: 202, body: acceptedBody}
	tests := []struct {
		name         string
		steps        func(t *testing.T) []step
		wantStatus   int // 0: transport error
		wantAttempts int
		wantBody     string
	}{
		{name: "before the answer, then accepted", wantStatus: 202, wantAttempts: 2, wantBody: acceptedBody,
			steps: func(t *testing.T) []step { return []step{{handler: hijack(t, "")}, accepted} }},
		{name: "inside the status line, then accepted", wantStatus: 202, wantAttempts: 2, wantBody: acceptedBody,
			steps: func(t *testing.T) []step { return []step{{handler: hijack(t, "HTTP/1.1 50")}, accepted} }},
		{name: "always before the answer", wantAttempts: 4,
			steps: func(t *testing.T) []step { return []step{{handler: hijack(t, "")}} }},
		{name: "inside an accepted body", wantStatus: 202, wantAttempts: 1, wantBody: `{"status":"succ`,
			steps: func(t *testing.T) []step {
				return []step{{handler: hijack(t, "HTTP/1.1 202 Accepted\r\nContent-Length: 80\r\n\r\n{\"status\":\"succ")}}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rcv := newReceiver(t, tt.steps(t)...)
			resp, err := newSender(t, newFakeClock()).Send(context.Background(), rcv.URL, eventBody)
			if tt.wantStatus == 0 {
				e := asError(t, err)
				if e.Kind != delivery.KindTransport || e.Attempts != tt.wantAttempts || !e.Temporary() {
					t.Errorf("Send() error = %v (%+v), want temporary transport error after %d attempts", err, e, tt.wantAttempts)
				}
				if !strings.Contains(err.Error(), "EOF") {
					t.Errorf("Send() error = %q, want it to name the EOF", err)
				}
				assertIdenticalBodies(t, rcv, tt.wantAttempts)
				return
			}
			if err != nil {
				t.Fatalf("Send() error = %v, want nil", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Attempts != tt.wantAttempts || resp.Body != tt.wantBody {
				t.Errorf("Send() response = %+v, want %d after %d attempts with body %q", resp, tt.wantStatus, tt.wantAttempts, tt.wantBody)
			}
			assertIdenticalBodies(t, rcv, tt.wantAttempts)
		})
	}
}

// TestSender_Send_AttemptTimeout uses real time: a server that stalls longer
// than a 50ms attempt timeout.
func TestSender_Send_AttemptTimeout(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	rcv := newReceiver(t, step{handler: stall})
	sender := newSender(t, newFakeClock())
	sender.Policy.AttemptTimeout = 50 * time.Millisecond
	sender.Policy.MaxRetries = 1
	began := time.Now()
	_, err := sender.Send(context.Background(), rcv.URL, eventBody)
	if elapsed := time.Since(began); elapsed > 2*time.Second {
		t.Errorf("Send() took %v, want about 2 × 50ms", elapsed)
	}
	e := asError(t, err)
	if e.Kind != delivery.KindTransport || e.Attempts != 2 || !e.Temporary() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send() error = %v (%+v), want temporary transport timeout after 2 attempts", err, e)
	}
	want := "failed to post event to PagerDuty at " + rcv.URL + " after 2 attempts: no answer within 50ms: context deadline exceeded"
	if err.Error() != want {
		t.Errorf("Send() error = %q, want %q", err, want)
	}
}

// TestSender_Send_LargeBody checks that a 50 MB answer is not read into
// memory: the server counts what it managed to write before the client
// closed the connection.
func TestSender_Send_LargeBody(t *testing.T) {
	const size = 50 << 20
	var written atomic.Int64
	done := make(chan struct{})
	huge := func(w http.ResponseWriter, _ *http.Request) {
		defer close(done)
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.WriteHeader(http.StatusAccepted)
		chunk := []byte(strings.Repeat("x", 32<<10))
		for written.Load() < size {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
	rcv := newReceiver(t, step{handler: huge})
	resp, err := newSender(t, newFakeClock()).Send(context.Background(), rcv.URL, eventBody)
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if len(resp.Body) != delivery.MaxBodySize || !resp.Truncated {
		t.Errorf("Send() body length = %d, truncated = %v; want %d, true", len(resp.Body), resp.Truncated, delivery.MaxBodySize)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("server still writing 10s after Send returned: the connection was not closed")
	}
	if n := written.Load(); n >= size {
		t.Errorf("server wrote all %d bytes, want the client to stop reading early", n)
	} else {
		t.Logf("server wrote %d of %d bytes (socket buffers included)", n, size)
	}
}

// TestSender_Send_CanceledDuringBackoff uses the real clock: a 30s
// Retry-After is cut short by cancellation.
func TestSender_Send_CanceledDuringBackoff(t *testing.T) {
	rcv := newReceiver(t, step{status: 503, header: map[string]string{"Retry-After": "30"}})
	sender := newSender(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	began := time.Now()
	resp, err := sender.Send(ctx, rcv.URL, eventBody)
	if elapsed := time.Since(began); elapsed > 2*time.Second {
		t.Errorf("Send() took %v after cancellation at 50ms, want prompt return", elapsed)
	}
	e := asError(t, err)
	if e.Kind != delivery.KindCanceled || e.Attempts != 1 || e.Temporary() || !errors.Is(err, context.Canceled) {
		t.Errorf("Send() error = %v (%+v), want canceled after 1 attempt", err, e)
	}
	want := "failed to post event to PagerDuty at " + rcv.URL + " after 1 attempt: context canceled (last answer: 503 Service Unavailable)"
	if err.Error() != want {
		t.Errorf("Send() error = %q, want %q", err, want)
	}
	if resp == nil || resp.StatusCode != 503 || resp.Attempts != 1 {
		t.Errorf("Send() response = %+v, want the last 503 after 1 attempt", resp)
	}
}

func TestSender_Send_CanceledBeforeStart(t *testing.T) {
	rcv := newReceiver(t, step{status: 202})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, err := newSender(t, newFakeClock()).Send(ctx, rcv.URL, eventBody)
	e := asError(t, err)
	if resp != nil || e.Kind != delivery.KindCanceled || e.Attempts != 0 || len(rcv.requests()) != 0 {
		t.Errorf("Send() = %+v, %+v; want no request and a canceled error", resp, e)
	}
}

// TestSender_Send_ContextDeadline checks that a wait beyond the caller's
// own deadline is not started: the last answer is returned at once.
func TestSender_Send_ContextDeadline(t *testing.T) {
	rcv := newReceiver(t, step{status: 503, header: map[string]string{"Retry-After": "30"}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	began := time.Now()
	resp, err := newSender(t, nil).Send(ctx, rcv.URL, eventBody)
	if elapsed := time.Since(began); elapsed > time.Second {
		t.Errorf("Send() took %v, want no wait", elapsed)
	}
	e := asError(t, err)
	if e.Kind != delivery.KindHTTP || e.StatusCode != 503 || resp.Attempts != 1 {
		t.Errorf("Send() = %+v, %v; want the 503 after 1 attempt", resp, err)
	}
}

func TestSender_Send_BodyReadCapped(t *testing.T) {
	body := strings.Repeat("y", delivery.MaxBodySize+10)
	rcv := newReceiver(t, step{status: 500, body: body})
	sender := newSender(t, newFakeClock())
	sender.Policy.MaxRetries = delivery.NoRetries
	resp, err := sender.Send(context.Background(), rcv.URL, eventBody)
	if err == nil || resp.Body != body[:delivery.MaxBodySize] || !resp.Truncated {
		t.Errorf("Send() = body of %d bytes, truncated %v, error %v; want %d bytes, truncated", len(resp.Body), resp.Truncated, err, delivery.MaxBodySize)
	}
}

// TestSender_Send_CanceledDuringAttempt cancels while the server stalls.
func TestSender_Send_CanceledDuringAttempt(t *testing.T) {
	stall := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	rcv := newReceiver(t, step{handler: stall})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(50*time.Millisecond, cancel)
	clock := newFakeClock()
	began := time.Now()
	resp, err := newSender(t, clock).Send(ctx, rcv.URL, eventBody)
	if elapsed := time.Since(began); elapsed > 2*time.Second {
		t.Errorf("Send() took %v after cancellation at 50ms, want prompt return", elapsed)
	}
	e := asError(t, err)
	if resp != nil || e.Kind != delivery.KindCanceled || e.Attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("Send() = %+v, %v (%+v); want canceled after 1 attempt", resp, err, e)
	}
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait after cancellation", got)
	}
}
