package delivery_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fluxpd/fluxpd/internal/delivery"
	"github.com/fluxpd/fluxpd/internal/emulator"
	"github.com/fluxpd/fluxpd/internal/testwait"
)

// closedURL returns an alert endpoint on 127.0.0.1 where nothing listens.
func closedURL(t testing.TB) (string, string) {
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
	tests := []struct {
		name         string
		faults       []emulator.Fault // then the emulator's 202
		wantStatus   int              // 0: transport error
		wantAttempts int
		wantBody     string
	}{
		{name: "before the answer, then accepted", wantStatus: 202, wantAttempts: 2, wantBody: emulatorAccepted,
			faults: []emulator.Fault{{Drop: true}}},
		{name: "inside the status line, then accepted", wantStatus: 202, wantAttempts: 2, wantBody: emulatorAccepted,
			faults: []emulator.Fault{{Status: 500, DropAfter: len("HTTP/1.1 50")}}},
		{name: "always before the answer", wantAttempts: 4,
			faults: times(5, emulator.Fault{Drop: true})},
		{name: "inside an accepted body", wantStatus: 202, wantAttempts: 1, wantBody: `{"status":"succ`,
			// Half of a 30-byte body arrives, Content-Length announcing 30.
			faults: []emulator.Fault{{Status: 202, Body: `{"status":"success","m":"abc"}`, DropMidResponse: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t, tt.faults...)
			resp, err := newSender(t, newFakeClock()).Send(context.Background(), emu.EventsURL(), eventBody)
			if tt.wantStatus == 0 {
				e := asError(t, err)
				if e.Kind != delivery.KindTransport || e.Attempts != tt.wantAttempts || !e.Temporary() {
					t.Errorf("Send() error = %v (%+v), want temporary transport error after %d attempts", err, e, tt.wantAttempts)
				}
				if !strings.Contains(err.Error(), "EOF") {
					t.Errorf("Send() error = %q, want it to name the EOF", err)
				}
				assertIdenticalBodies(t, emu, tt.wantAttempts)
				return
			}
			if err != nil {
				t.Fatalf("Send() error = %v, want nil", err)
			}
			if resp.StatusCode != tt.wantStatus || resp.Attempts != tt.wantAttempts || resp.Body != tt.wantBody {
				t.Errorf("Send() response = %+v, want %d after %d attempts with body %q", resp, tt.wantStatus, tt.wantAttempts, tt.wantBody)
			}
			assertIdenticalBodies(t, emu, tt.wantAttempts)
		})
	}
}

// stall is an answer held back as long as a test waits for anything: only
// a timeout or a cancellation gets a Send past it in time.
var stall = emulator.Fault{Status: 202, Delay: testwait.Limit()}

// TestSender_Send_AttemptTimeout uses real time: a server that stalls longer
// than a 50ms attempt timeout.
func TestSender_Send_AttemptTimeout(t *testing.T) {
	emu := newEmulator(t, times(3, stall)...)
	sender := newSender(t, newFakeClock())
	sender.Policy.AttemptTimeout = 50 * time.Millisecond
	sender.Policy.MaxRetries = 1
	began := time.Now()
	_, err := sendWithin(t, "Send to give up after two attempts of 50ms", func() (*delivery.Response, error) {
		return sender.Send(context.Background(), emu.EventsURL(), eventBody)
	})
	if elapsed := time.Since(began); elapsed < 2*50*time.Millisecond {
		t.Errorf("Send() took %v, want at least 2 × 50ms", elapsed)
	}
	e := asError(t, err)
	if e.Kind != delivery.KindTransport || e.Attempts != 2 || !e.Temporary() || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Send() error = %v (%+v), want temporary transport timeout after 2 attempts", err, e)
	}
	want := "failed to post event to PagerDuty at " + emu.EventsURL() + " after 2 attempts: no answer within 50ms: context deadline exceeded"
	if err.Error() != want {
		t.Errorf("Send() error = %q, want %q", err, want)
	}
}

// afterAnswer is a RoundTripper that reads each answer whole, then calls
// then: from then on the sender has the answer and can only be deciding
// what to do or waiting before its next attempt.
type afterAnswer struct {
	rt   http.RoundTripper
	then func()
}

func (a afterAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.rt.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	a.then()
	return resp, nil
}

// TestSender_Send_LargeBody checks that a 50 MB answer is not read into
// memory: Send allocates little, keeps MaxBodySize bytes, and closes the
// connection instead of reading on, so the next Send needs a new one.
func TestSender_Send_LargeBody(t *testing.T) {
	huge := strings.Repeat("x", 50<<20)
	emu := newEmulator(t, emulator.Fault{Status: http.StatusAccepted, Body: huge})
	sender := newSender(t, newFakeClock())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := sender.Send(context.Background(), emu.EventsURL(), eventBody)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Send() error = %v", err)
	}
	if resp.Body != huge[:delivery.MaxBodySize] {
		t.Errorf("Send() body length = %d, want the first %d bytes", len(resp.Body), delivery.MaxBodySize)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("Send() allocated %d bytes, want at most 4 MiB", alloc)
	}
	if _, err := sender.Send(context.Background(), emu.EventsURL(), eventBody); err != nil {
		t.Fatalf("second Send() error = %v", err)
	}
	if got := emu.Connections(); got != 2 {
		t.Errorf("2 Sends used %d connections, want 2: the client must close the first rather than read 50 MB", got)
	}
}

// TestSender_Send_CanceledDuringBackoff uses the real clock: a Retry-After
// longer than a test waits is cut short by cancellation, which comes once
// the 503 has been read.
func TestSender_Send_CanceledDuringBackoff(t *testing.T) {
	retryAfter := 2 * testwait.Limit()
	emu := newEmulator(t, times(2, emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": secondsOf(retryAfter)}})...)
	sender := newSender(t, nil)
	sender.Policy.MaxRetryAfter, sender.Policy.Deadline = 2*retryAfter, 4*retryAfter
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sender.Client = &http.Client{Transport: afterAnswer{sender.Client.(*http.Client).Transport, cancel}}
	resp, err := sendWithin(t, "Send to return once canceled during its wait", func() (*delivery.Response, error) {
		return sender.Send(ctx, emu.EventsURL(), eventBody)
	})
	e := asError(t, err)
	if e.Kind != delivery.KindCanceled || e.Attempts != 1 || e.Temporary() || !errors.Is(err, context.Canceled) {
		t.Errorf("Send() error = %v (%+v), want canceled after 1 attempt", err, e)
	}
	want := "failed to post event to PagerDuty at " + emu.EventsURL() + " after 1 attempt: context canceled (last answer: 503 Service Unavailable)"
	if err.Error() != want {
		t.Errorf("Send() error = %q, want %q", err, want)
	}
	if resp == nil || resp.StatusCode != 503 || resp.Attempts != 1 {
		t.Errorf("Send() response = %+v, want the last 503 after 1 attempt", resp)
	}
}

func TestSender_Send_CanceledBeforeStart(t *testing.T) {
	emu := newEmulator(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp, err := newSender(t, newFakeClock()).Send(ctx, emu.EventsURL(), eventBody)
	e := asError(t, err)
	if resp != nil || e.Kind != delivery.KindCanceled || e.Attempts != 0 || len(emu.Requests()) != 0 {
		t.Errorf("Send() = %+v, %+v; want no request and a canceled error", resp, e)
	}
}

// TestSender_Send_ContextDeadline checks that a wait beyond the caller's
// own deadline is not started: the last answer is returned at once. The
// caller's deadline is testwait.Limit away, and the Retry-After twice
// that; the sender has no deadline of its own.
func TestSender_Send_ContextDeadline(t *testing.T) {
	retryAfter := 2 * testwait.Limit()
	emu := newEmulator(t, times(2, emulator.Fault{Status: 503, Header: map[string]string{"Retry-After": secondsOf(retryAfter)}})...)
	ctx, cancel := context.WithTimeout(context.Background(), testwait.Limit())
	defer cancel()
	clock := newFakeClock()
	sender := newSender(t, clock)
	sender.Policy.MaxRetryAfter, sender.Policy.Deadline = 2*retryAfter, 0
	resp, err := sender.Send(ctx, emu.EventsURL(), eventBody)
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait started", got)
	}
	e := asError(t, err)
	if e.Kind != delivery.KindHTTP || e.StatusCode != 503 || resp.Attempts != 1 {
		t.Errorf("Send() = %+v, %v; want the 503 after 1 attempt", resp, err)
	}
}

func TestSender_Send_BodyReadCapped(t *testing.T) {
	body := strings.Repeat("y", delivery.MaxBodySize+10)
	emu := newEmulator(t, times(2, emulator.Fault{Status: 500, Body: body})...)
	sender := newSender(t, newFakeClock())
	sender.Policy.MaxRetries = 0
	resp, err := sender.Send(context.Background(), emu.EventsURL(), eventBody)
	if err == nil || resp.Body != body[:delivery.MaxBodySize] {
		t.Errorf("Send() = body of %d bytes, error %v; want the first %d bytes and an error", len(resp.Body), err, delivery.MaxBodySize)
	}
}

// TestSender_Send_CanceledDuringAttempt cancels while the server stalls,
// once the request has reached it.
func TestSender_Send_CanceledDuringAttempt(t *testing.T) {
	emu := newEmulator(t, times(2, stall)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	returned := make(chan struct{})
	go func() {
		defer cancel()
		for len(emu.Requests()) == 0 {
			select {
			case <-returned: // before its request arrived: the checks below fail
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	clock := newFakeClock()
	sender := newSender(t, clock)
	resp, err := sendWithin(t, "Send to return once canceled during its attempt", func() (*delivery.Response, error) {
		return sender.Send(ctx, emu.EventsURL(), eventBody)
	})
	close(returned)
	e := asError(t, err)
	if resp != nil || e.Kind != delivery.KindCanceled || e.Attempts != 1 || !errors.Is(err, context.Canceled) {
		t.Errorf("Send() = %+v, %v (%+v); want canceled after 1 attempt", resp, err, e)
	}
	if got := clock.slept(); len(got) != 0 {
		t.Errorf("slept %v, want no wait after cancellation", got)
	}
}
